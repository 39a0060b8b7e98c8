<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Account360View</name>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="65"/>
        <source>Search for a customer (Ctrl+K) or pick one from the list.</source>
        <translation>搜索客户（Ctrl+K）或从列表中选择。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="93"/>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="94"/>
        <source>Log call (Ctrl+L)</source>
        <translation>记录电话 (Ctrl+L)</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="95"/>
        <source>Log meeting</source>
        <translation>记录会议</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="96"/>
        <source>Add contact</source>
        <translation>添加联系人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="97"/>
        <source>Log other</source>
        <translation>记录其他</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="100"/>
        <source>Log a visit…</source>
        <translation>记录拜访…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="101"/>
        <source>Log an e-mail…</source>
        <translation>记录邮件…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="102"/>
        <source>Add a note…</source>
        <translation>添加备注…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="108"/>
        <source>New opportunity</source>
        <translation>新建商机</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="146"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="147"/>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="148"/>
        <source>Industry</source>
        <translation>行业</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="149"/>
        <source>Country</source>
        <translation>国家</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="150"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="151"/>
        <source>Time zone</source>
        <translation>时区</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="152"/>
        <source>Currency</source>
        <translation>币种</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="153"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="154"/>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="155"/>
        <source>Open pipeline</source>
        <translation>进行中的金额</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="156"/>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="173"/>
        <source>Contact / phone</source>
        <translation>联系人 / 电话</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="173"/>
        <source>Title / kind</source>
        <translation>职位 / 类型</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="180"/>
        <source>Edit contact…</source>
        <translation>编辑联系人…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="182"/>
        <source>Remove contact…</source>
        <translation>删除联系人…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="193"/>
        <source>Opportunity</source>
        <translation>商机</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="194"/>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="195"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="196"/>
        <source>Prob.</source>
        <translation>概率</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="197"/>
        <source>Score</source>
        <translation>加权值</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="198"/>
        <source>Close</source>
        <translation>预计成交</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="205"/>
        <source>Double-click an opportunity to edit it</source>
        <translation>双击商机进行编辑</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="227"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="227"/>
        <source>Change</source>
        <translation>变更</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="231"/>
        <source>Timeline</source>
        <translation>时间线</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="232"/>
        <source>Closed opportunities</source>
        <translation>已结束的商机</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="233"/>
        <source>Status history and former names</source>
        <translation>状态历史与曾用名</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="237"/>
        <source>Contacts</source>
        <translation>联系人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="238"/>
        <source>Open opportunities</source>
        <translation>进行中的商机</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="327"/>
        <source>System tags (computed by the server):</source>
        <translation>系统标签（由服务器计算）：</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="338"/>
        <source>This customer is no longer in your replica.</source>
        <translation>此客户已不在您的本地副本中。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="393"/>
        <source>Status: %1 → %2</source>
        <translation>状态：%1 → %2</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="402"/>
        <source>Formerly named “%1”</source>
        <translation>曾用名“%1”</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="412"/>
        <source>hidden for your role</source>
        <translation>因您的角色而隐藏</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="415"/>
        <source>Your role may not read this field. It is not empty: the server keeps it.</source>
        <translation>您的角色无权查看此字段。它并非为空：服务器保存着它的内容。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="428"/>
        <source>weight %1</source>
        <translation>权重 %1</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="434"/>
        <source>(erased at their request)</source>
        <translation>（应本人要求已删除）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="450"/>
        <source>Erased at their request: nothing about them is kept.</source>
        <translation>应本人要求已删除：不再保留其任何信息。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="452"/>
        <source>Double-click to edit</source>
        <translation>双击编辑</translation>
    </message>
</context>
<context>
    <name>AccountDialog</name>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="249"/>
        <source>Edit customer</source>
        <translation>编辑客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="249"/>
        <source>New customer</source>
        <translation>新建客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="281"/>
        <source>(nobody)</source>
        <translation>（无人）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="284"/>
        <source>Country (2 letters)</source>
        <translation>国家（两位字母）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="289"/>
        <source>Tags (comma-separated)</source>
        <translation>标签（逗号分隔）</translation>
    </message>
</context>
<context>
    <name>AccountsModel</name>
    <message>
        <location filename="../../desktop_crm/ui/accounts_model.py" line="70"/>
        <source>Customer</source>
        <extracomment>Rows read per trip to the worker. The ids of a new filter/sort arrived (count of rows). The cached accounts&apos; system tags (computed by the server&apos;s rules; absent: none).</extracomment>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/accounts_model.py" line="71"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/accounts_model.py" line="72"/>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/accounts_model.py" line="73"/>
        <source>Industry</source>
        <translation>行业</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/accounts_model.py" line="74"/>
        <source>Country</source>
        <translation>国家</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/accounts_model.py" line="75"/>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/accounts_model.py" line="187"/>
        <source>System tags (computed by the server):</source>
        <translation>系统标签（由服务器计算）：</translation>
    </message>
</context>
<context>
    <name>ActivityDialog</name>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="447"/>
        <source>(no particular contact)</source>
        <translation>（不指定联系人）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="534"/>
        <source>Inbound (they called)</source>
        <translation>呼入（对方来电）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="534"/>
        <source>Outbound (we called)</source>
        <translation>呼出（我方致电）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="513"/>
        <source>Reached</source>
        <translation>已接通</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="514"/>
        <source>Left a voicemail</source>
        <translation>已留言</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="515"/>
        <source>No answer</source>
        <translation>无人接听</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="516"/>
        <source>Wrong number</source>
        <translation>号码错误</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="508"/>
        <source>Held</source>
        <translation>已举行</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="508"/>
        <source>Rescheduled</source>
        <translation>已改期</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="508"/>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="474"/>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="454"/>
        <source>(no particular deal)</source>
        <translation>（不关联商机）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="477"/>
        <source>Names, comma-separated</source>
        <translation>姓名，用逗号分隔</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="479"/>
        <source>What was said, what was agreed</source>
        <translation>谈了什么，约定了什么</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="481"/>
        <source>Follow up on</source>
        <translation>跟进时间</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="493"/>
        <source>Deal</source>
        <translation>商机</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="511"/>
        <source>Log a call — %1</source>
        <translation>记录电话 — %1</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="520"/>
        <source>Log a meeting — %1</source>
        <translation>记录会议 — %1</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="521"/>
        <source>Log a visit — %1</source>
        <translation>记录拜访 — %1</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="523"/>
        <source>Log an e-mail — %1</source>
        <translation>记录邮件 — %1</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="524"/>
        <source>Sent</source>
        <translation>已发送</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="524"/>
        <source>Answered</source>
        <translation>已回复</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="524"/>
        <source>Bounced</source>
        <translation>被退回</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="527"/>
        <source>Add a note — %1</source>
        <translation>添加备注 — %1</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="533"/>
        <source>Inbound (they wrote)</source>
        <translation>来信（对方发来）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="533"/>
        <source>Outbound (we wrote)</source>
        <translation>去信（我方发出）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="568"/>
        <source>%1 deleted this customer on the server. What you log here is kept on this computer and not sent until the customer is restored, or you export it.</source>
        <translation>%1 已在服务器上删除该客户。你在这里记录的内容会保留在本机，在客户恢复或你将其导出之前不会发送。</translation>
    </message>
</context>
<context>
    <name>ActivityFeedView</name>
    <message>
        <location filename="../../desktop_crm/ui/activity_view.py" line="44"/>
        <source>Everyone</source>
        <extracomment>How many activities the list shows.</extracomment>
        <translation>所有人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/activity_view.py" line="50"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/activity_view.py" line="51"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/activity_view.py" line="52"/>
        <source>What</source>
        <translation>内容</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/activity_view.py" line="53"/>
        <source>By</source>
        <translation>记录人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/activity_view.py" line="54"/>
        <source>Summary</source>
        <translation>摘要</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/activity_view.py" line="63"/>
        <source>Whose:</source>
        <translation>记录人：</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/activity_view.py" line="89"/>
        <source>The latest %1 activities</source>
        <translation>最近 %1 条活动</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/activity_view.py" line="91"/>
        <source>No activities yet.</source>
        <translation>还没有活动记录。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/activity_view.py" line="107"/>
        <source>hidden for your role</source>
        <translation>因您的角色而隐藏</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/activity_view.py" line="111"/>
        <source>Your role may not read this field.</source>
        <translation>您的角色无权查看此字段。</translation>
    </message>
</context>
<context>
    <name>ActivityKindLabels</name>
    <message>
        <location filename="../../desktop_crm/ui/activity_kinds.py" line="15"/>
        <source>Call</source>
        <translation>电话</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/activity_kinds.py" line="16"/>
        <source>Meeting</source>
        <translation>会议</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/activity_kinds.py" line="17"/>
        <source>Visit</source>
        <translation>拜访</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/activity_kinds.py" line="18"/>
        <source>E-mail</source>
        <translation>邮件</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/activity_kinds.py" line="19"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
</context>
<context>
    <name>AppController</name>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="106"/>
        <source>Opening the encrypted replica…</source>
        <extracomment>The main window is up and loaded (tests, --exit-after, screenshots). The demo&apos;s colleague changed this account on the server.</extracomment>
        <translation>正在打开加密的本地副本…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="123"/>
        <source>The first sync did not finish: %1

You can work with what arrived; the sync continues in the background.</source>
        <translation>首次同步未完成：%1

您可以使用已下载的数据，同步将在后台继续。</translation>
    </message>
</context>
<context>
    <name>ArchiveDialog</name>
    <message>
        <location filename="../../desktop_crm/ui/archive_view.py" line="46"/>
        <source>Search the archive</source>
        <translation>搜索归档</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/archive_view.py" line="49"/>
        <source>Archived customers are kept on the server only, not on this computer: searching them needs a connection. Results are archived, not current, customers.</source>
        <translation>归档客户只保存在服务器上，不在本机：搜索归档需要联网。结果均为已归档客户，而非当前客户。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/archive_view.py" line="57"/>
        <source>Part of a customer&apos;s name</source>
        <translation>客户名称的一部分</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/archive_view.py" line="59"/>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/archive_view.py" line="66"/>
        <source>Customer (archived)</source>
        <translation>客户（已归档）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/archive_view.py" line="66"/>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/archive_view.py" line="66"/>
        <source>Archived on</source>
        <translation>归档日期</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/archive_view.py" line="73"/>
        <source>Restore to its owner</source>
        <translation>恢复给原负责人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/archive_view.py" line="96"/>
        <source>Searching the server…</source>
        <translation>正在搜索服务器…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/archive_view.py" line="104"/>
        <source>This profile has no server: there is no archive.</source>
        <translation>此配置未连接服务器：没有归档。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop_crm/ui/archive_view.py" line="116"/>
        <source>%n archived customer(s) found.</source>
        <translation>
            <numerusform>找到 %n 个归档客户。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/archive_view.py" line="118"/>
        <source>No archived customer matches.</source>
        <translation>没有匹配的归档客户。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/archive_view.py" line="129"/>
        <source>Restoring…</source>
        <translation>正在恢复…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/archive_view.py" line="139"/>
        <source>%1 is restored: it comes back with the next sync.</source>
        <translation>%1 已恢复：下次同步时会回到本机。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/archive_view.py" line="145"/>
        <source>The server could not be asked: %1</source>
        <translation>无法向服务器查询：%1</translation>
    </message>
</context>
<context>
    <name>AuditView</name>
    <message>
        <location filename="../../desktop_crm/ui/audit_view.py" line="48"/>
        <source>Audit trail (read from the server)</source>
        <translation>审计日志（从服务器读取）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/audit_view.py" line="50"/>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/audit_view.py" line="51"/>
        <source>Action, e.g. login or user.role</source>
        <translation>操作，例如 login 或 user.role</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/audit_view.py" line="52"/>
        <source>Since, e.g. 2026-12-01</source>
        <translation>起始时间，例如 2026-12-01</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/audit_view.py" line="53"/>
        <source>Record id</source>
        <translation>记录 ID</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/audit_view.py" line="54"/>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/audit_view.py" line="56"/>
        <source>Older</source>
        <translation>更早</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/audit_view.py" line="67"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/audit_view.py" line="68"/>
        <source>Who</source>
        <translation>操作人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/audit_view.py" line="69"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/audit_view.py" line="70"/>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/audit_view.py" line="71"/>
        <source>From</source>
        <translation>来源地址</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/audit_view.py" line="72"/>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/audit_view.py" line="76"/>
        <source>Undo merge</source>
        <translation>撤销合并</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/audit_view.py" line="78"/>
        <source>Restore the merged-away record and move its children back</source>
        <translation>恢复被合并的记录，并把其下属记录移回</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/audit_view.py" line="115"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/audit_view.py" line="133"/>
        <source>%1 entries</source>
        <translation>%1 条记录</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/audit_view.py" line="135"/>
        <source>No audit entries match.</source>
        <translation>没有符合条件的审计记录。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/audit_view.py" line="166"/>
        <source>Undoing the merge…</source>
        <translation>正在撤销合并…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/audit_view.py" line="176"/>
        <source>Merge undone: the merged-away record comes back with the next sync.</source>
        <translation>已撤销合并：被合并的记录将在下次同步时恢复。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/audit_view.py" line="183"/>
        <source>The merge was not undone: %1</source>
        <translation>未能撤销合并：%1</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/audit_view.py" line="192"/>
        <source>The server refused the filter: %1</source>
        <translation>服务器拒绝了筛选条件：%1</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/audit_view.py" line="194"/>
        <source>Not found, or not allowed for your role: %1</source>
        <translation>未找到，或您的角色无权查看：%1</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/audit_view.py" line="198"/>
        <source>Offline: the audit trail is read from the server.</source>
        <translation>离线：审计日志需要从服务器读取。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/audit_view.py" line="200"/>
        <source>Sign in to read the audit trail.</source>
        <translation>请登录以查看审计日志。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/audit_view.py" line="202"/>
        <source>Could not read the audit trail: %1</source>
        <translation>无法读取审计日志：%1</translation>
    </message>
</context>
<context>
    <name>Choices</name>
    <message>
        <location filename="../../desktop_crm/ui/choice_boxes.py" line="37"/>
        <source>(not known)</source>
        <translation>（未知）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/choice_boxes.py" line="38"/>
        <source>Decision maker</source>
        <translation>决策者</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/choice_boxes.py" line="39"/>
        <source>Champion</source>
        <translation>支持者</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/choice_boxes.py" line="40"/>
        <source>Influencer</source>
        <translation>影响者</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/choice_boxes.py" line="41"/>
        <source>User</source>
        <translation>使用者</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/choice_boxes.py" line="42"/>
        <source>Gatekeeper</source>
        <translation>把关者</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/choice_boxes.py" line="49"/>
        <source>(not set)</source>
        <translation>（未设置）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/choice_boxes.py" line="55"/>
        <source>(not set: from the phone number)</source>
        <translation>（未设置：按电话号码推断）</translation>
    </message>
</context>
<context>
    <name>ClosedOpportunities</name>
    <message>
        <location filename="../../desktop_crm/ui/customer_history.py" line="149"/>
        <source>Opportunity</source>
        <extracomment>The closed deals arrived (``deals``).</extracomment>
        <translation>商机</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/customer_history.py" line="149"/>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/customer_history.py" line="149"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/customer_history.py" line="149"/>
        <source>Closed</source>
        <translation>结束日期</translation>
    </message>
</context>
<context>
    <name>ConflictDialog</name>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="73"/>
        <source>Sync conflicts</source>
        <translation>同步冲突</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="87"/>
        <source>Keep all mine</source>
        <translation>全部保留我的</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="88"/>
        <source>Take all theirs</source>
        <translation>全部采用对方的</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="89"/>
        <source>Resolve</source>
        <translation>解决</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="91"/>
        <source>Decide later</source>
        <translation>稍后决定</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="132"/>
        <source>No open conflicts. Everything is in sync.</source>
        <translation>没有未解决的冲突，一切已同步。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="154"/>
        <source>You and a colleague changed the same thing while apart. For each field, keep yours, take theirs, or type the right value.</source>
        <translation>您和同事在离线时修改了同一内容。请对每个字段选择保留您的、采用对方的，或输入正确的值。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="174"/>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="175"/>
        <source>Before</source>
        <translation>原值</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="176"/>
        <location filename="../../desktop_crm/ui/sync_views.py" line="218"/>
        <source>Mine</source>
        <translation>我的</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="177"/>
        <location filename="../../desktop_crm/ui/sync_views.py" line="219"/>
        <source>Theirs</source>
        <translation>对方的</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="178"/>
        <source>Decision</source>
        <translation>决定</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="185"/>
        <source>Keep it deleted</source>
        <translation>保持删除</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="186"/>
        <source>Restore the edited record</source>
        <translation>恢复修改后的记录</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="190"/>
        <source>you</source>
        <translation>您</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="190"/>
        <source>a colleague</source>
        <translation>同事</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="192"/>
        <source>Deleted by %1, edited by the other side.</source>
        <translation>%1删除了它，另一方修改了它。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="220"/>
        <source>Edit:</source>
        <translation>修改：</translation>
    </message>
</context>
<context>
    <name>ConsentEditor</name>
    <message>
        <location filename="../../desktop_crm/ui/consent.py" line="114"/>
        <source>on</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/consent.py" line="124"/>
        <source>Source, e.g. signed form, phone call</source>
        <translation>来源，例如：签字表格、电话</translation>
    </message>
</context>
<context>
    <name>ConsentGuard</name>
    <message>
        <location filename="../../desktop_crm/ui/consent.py" line="194"/>
        <source>No consent</source>
        <translation>未获同意</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/consent.py" line="199"/>
        <source>Log anyway</source>
        <translation>仍然记录</translation>
    </message>
</context>
<context>
    <name>ConsentTexts</name>
    <message>
        <location filename="../../desktop_crm/ui/consent.py" line="42"/>
        <source>May be called</source>
        <translation>同意接听电话</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/consent.py" line="43"/>
        <source>May be e-mailed</source>
        <translation>同意接收邮件</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/consent.py" line="44"/>
        <source>May be sent text messages</source>
        <translation>同意接收短信</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/consent.py" line="49"/>
        <source>calls</source>
        <translation>电话</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/consent.py" line="50"/>
        <source>e-mails</source>
        <translation>邮件</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/consent.py" line="51"/>
        <source>text messages</source>
        <translation>短信</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/consent.py" line="57"/>
        <source>Do not contact</source>
        <translation>请勿联系</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/consent.py" line="64"/>
        <source>Consent: %1</source>
        <translation>同意情况：%1</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/consent.py" line="83"/>
        <source>%1 is marked “do not contact”. Log this %2 anyway?</source>
        <translation>%1 已标记为“请勿联系”。仍然记录这次%2吗？</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/consent.py" line="89"/>
        <source>%1 has not agreed to %2.</source>
        <translation>%1 未同意接收%2。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/consent.py" line="95"/>
        <source>Recorded %1 %2</source>
        <translation>记录于 %1 %2</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/consent.py" line="100"/>
        <source>Log this %1 anyway?</source>
        <translation>仍然记录这次%1吗？</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/consent.py" line="103"/>
        <source>e-mail</source>
        <translation>邮件</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/consent.py" line="103"/>
        <source>call</source>
        <translation>电话</translation>
    </message>
</context>
<context>
    <name>ContactDialog</name>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="328"/>
        <source>Edit contact</source>
        <translation>编辑联系人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="328"/>
        <source>New contact</source>
        <translation>新建联系人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="338"/>
        <source>One number per line, e.g. 138 0013 8000 work</source>
        <translation>每行一个号码，例如 138 0013 8000 work</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="345"/>
        <source>Do not contact (overrides every consent)</source>
        <translation>请勿联系（优先于所有同意）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="356"/>
        <source>Consent</source>
        <translation>同意情况</translation>
    </message>
</context>
<context>
    <name>CustomerClockLabel</name>
    <message>
        <location filename="../../desktop_crm/ui/customer_clock.py" line="52"/>
        <source>Local time unknown: set the customer&apos;s time zone (Edit…).</source>
        <translation>当地时间未知：请设置客户的时区（编辑…）。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/customer_clock.py" line="58"/>
        <source>Good time to call (local time %1)</source>
        <translation>适合致电（当地时间 %1）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/customer_clock.py" line="61"/>
        <source>Outside business hours (local time %1)</source>
        <translation>非工作时间（当地时间 %1）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/customer_clock.py" line="66"/>
        <source>Business hours: Monday to Friday, 09:00–18:00 local time.</source>
        <translation>工作时间：当地时间周一至周五 09:00–18:00。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/customer_clock.py" line="68"/>
        <source>Time zone of the customer record.</source>
        <translation>客户资料中的时区。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/customer_clock.py" line="71"/>
        <source>Guessed from the phone number: its country has several time zones. Set the customer&apos;s time zone to be sure.</source>
        <translation>按电话号码推测：该国家有多个时区。请设置客户的时区以确保准确。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/customer_clock.py" line="75"/>
        <source>From the phone number&apos;s region.</source>
        <translation>按电话号码所属地区。</translation>
    </message>
</context>
<context>
    <name>DeletedCustomersDialog</name>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="457"/>
        <source>Customers deleted while you had work on them</source>
        <translation>你有未同步工作时被删除的客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="462"/>
        <source>Restore the customer</source>
        <translation>恢复该客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="463"/>
        <source>Export my work…</source>
        <translation>导出我的工作…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="493"/>
        <source>%1 — deleted by %2</source>
        <translation>%1 — 由 %2 删除</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="500"/>
        <source>Nothing waits: no customer was deleted under your work.</source>
        <translation>没有待处理项：没有客户在你有工作时被删除。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="504"/>
        <source>Only a manager or an administrator can restore it.</source>
        <translation>只有经理或管理员可以恢复它。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="513"/>
        <source>%1 deleted this customer while you had %2 unsynced change(s) under it. They are kept here and not sent: restore the customer, or export them.</source>
        <translation>%1 删除了该客户，而你在其下有 %2 项未同步的更改。这些更改保留在本机且不会发送：请恢复该客户，或导出它们。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="538"/>
        <source>Export my work</source>
        <translation>导出我的工作</translation>
    </message>
</context>
<context>
    <name>DemoController</name>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="263"/>
        <source>Desktop CRM — demo</source>
        <translation>桌面 CRM — 演示</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="273"/>
        <source>Starting the demo server with %1 customers…</source>
        <translation>正在启动包含 %1 个客户的演示服务器…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="330"/>
        <source>&amp;Demo</source>
        <translation>演示(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="332"/>
        <source>Sales rep (rep1)</source>
        <translation>销售代表 (rep1)</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="333"/>
        <source>Service desk (desk1)</source>
        <translation>客服 (desk1)</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="334"/>
        <source>Sales manager (manager1)</source>
        <translation>销售经理 (manager1)</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="338"/>
        <source>Sign in as %1</source>
        <translation>以 %1 登录</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="345"/>
        <source>Simulate a colleague&apos;s edit</source>
        <translation>模拟同事的修改</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="380"/>
        <source>%1 changed the notes of “%2” on the server.</source>
        <translation>%1 在服务器上修改了“%2”的备注。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="387"/>
        <source>A colleague edited a customer</source>
        <translation>同事编辑了一个客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="389"/>
        <source>%1 changed the notes of “%2” on the server to:

%3

Edit the same customer&apos;s notes now (Customer ▸ Edit customer): your next sync meets their change and shows a conflict.</source>
        <translation>%1 在服务器上把“%2”的备注改为：

%3

现在修改同一客户的备注（客户 ▸ 编辑客户）：下次同步时会遇到对方的更改并显示冲突。</translation>
    </message>
</context>
<context>
    <name>DuplicateWarning</name>
    <message>
        <location filename="../../desktop_crm/ui/duplicate_warning.py" line="46"/>
        <source>Open one of them, or press Save again to save anyway.</source>
        <extracomment>The account id of a candidate the user chose to open instead.</extracomment>
        <translation>可打开其中一个，或再次点击“保存”仍然保存。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/duplicate_warning.py" line="23"/>
        <source>name</source>
        <extracomment>Candidates listed, at most.</extracomment>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/duplicate_warning.py" line="24"/>
        <source>same phone</source>
        <translation>电话相同</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/duplicate_warning.py" line="25"/>
        <source>same e-mail</source>
        <translation>邮箱相同</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/duplicate_warning.py" line="64"/>
        <source>&lt;b&gt;Similar customers already exist&lt;/b&gt;</source>
        <translation>&lt;b&gt;已存在相似的客户&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/duplicate_warning.py" line="66"/>
        <source>&lt;b&gt;Similar contacts already exist&lt;/b&gt;</source>
        <translation>&lt;b&gt;已存在相似的联系人&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/duplicate_warning.py" line="74"/>
        <source>%1 — %2% (%3)</source>
        <translation>%1 — %2%（%3）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/duplicate_warning.py" line="74"/>
        <source>%1 at %4 — %2% (%3)</source>
        <translation>%1（%4）— %2%（%3）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/duplicate_warning.py" line="83"/>
        <source>Open</source>
        <translation>打开</translation>
    </message>
</context>
<context>
    <name>DuplicatesView</name>
    <message>
        <location filename="../../desktop_crm/ui/duplicates_view.py" line="46"/>
        <source>Suspected duplicates (read from the server)</source>
        <translation>疑似重复（从服务器读取）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/duplicates_view.py" line="49"/>
        <source>Customers</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/duplicates_view.py" line="50"/>
        <source>Contacts</source>
        <translation>联系人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/duplicates_view.py" line="52"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/duplicates_view.py" line="56"/>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/duplicates_view.py" line="56"/>
        <source>Looks like</source>
        <translation>疑似重复于</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/duplicates_view.py" line="56"/>
        <source>Score</source>
        <translation>加权值</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/duplicates_view.py" line="56"/>
        <source>Why</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/duplicates_view.py" line="66"/>
        <source>Not duplicates</source>
        <translation>不是重复</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/duplicates_view.py" line="67"/>
        <source>Take the pair out of the queue for good</source>
        <translation>将这一对永久移出审核队列</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/duplicates_view.py" line="69"/>
        <source>Merge…</source>
        <translation>合并…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/duplicates_view.py" line="100"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/duplicates_view.py" line="108"/>
        <source>This profile has no server: there is no review queue.</source>
        <translation>此配置没有服务器：没有审核队列。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop_crm/ui/duplicates_view.py" line="125"/>
        <source>%n suspected duplicate pair(s) to review.</source>
        <translation>
            <numerusform>有 %n 对疑似重复待审核。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/duplicates_view.py" line="127"/>
        <source>No suspected duplicates to review.</source>
        <translation>没有待审核的疑似重复。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/duplicates_view.py" line="159"/>
        <source>Dismissing…</source>
        <translation>正在忽略…</translation>
    </message>
</context>
<context>
    <name>FieldLabels</name>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="16"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="17"/>
        <source>Industry</source>
        <translation>行业</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="18"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="19"/>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="20"/>
        <source>Country</source>
        <translation>国家</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="21"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="22"/>
        <source>Time zone</source>
        <translation>时区</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="23"/>
        <source>Currency</source>
        <translation>币种</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="24"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="25"/>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="26"/>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="28"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="29"/>
        <source>Title</source>
        <translation>职位</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="30"/>
        <source>Decision role</source>
        <translation>决策角色</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="31"/>
        <source>Decision weight</source>
        <translation>决策权重</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="32"/>
        <source>E-mails</source>
        <translation>邮箱</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="33"/>
        <source>Phones</source>
        <translation>电话</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="34"/>
        <source>Agreed to e-mails</source>
        <translation>同意接收邮件</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="35"/>
        <source>Agreed to calls</source>
        <translation>同意接听电话</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="36"/>
        <source>Agreed to text messages</source>
        <translation>同意接收短信</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="37"/>
        <source>Call consent date</source>
        <translation>电话同意日期</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="38"/>
        <source>Call consent source</source>
        <translation>电话同意来源</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="39"/>
        <source>E-mail consent date</source>
        <translation>邮件同意日期</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="40"/>
        <source>E-mail consent source</source>
        <translation>邮件同意来源</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="41"/>
        <source>Text message consent date</source>
        <translation>短信同意日期</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="42"/>
        <source>Text message consent source</source>
        <translation>短信同意来源</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="43"/>
        <source>Do not contact</source>
        <translation>请勿联系</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="45"/>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="46"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="47"/>
        <source>Probability</source>
        <translation>成交概率</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="48"/>
        <source>Close date</source>
        <translation>成交日期</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="50"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="51"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="52"/>
        <source>Contact</source>
        <translation>联系人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="53"/>
        <source>Opportunity</source>
        <translation>商机</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="54"/>
        <source>Direction</source>
        <translation>方向</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="55"/>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="56"/>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="57"/>
        <source>Participants</source>
        <translation>参与人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="58"/>
        <source>Summary</source>
        <translation>摘要</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="59"/>
        <source>Next step</source>
        <translation>下一步</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="60"/>
        <source>Follow-up done</source>
        <translation>跟进已完成</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="61"/>
        <source>Logged by</source>
        <translation>记录人</translation>
    </message>
</context>
<context>
    <name>FirstSyncDialog</name>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="647"/>
        <source>Stopping after the current page…</source>
        <translation>当前页完成后停止…</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="128"/>
        <source>Search customers by name or phone number (any format, or the last 4+ digits) — Ctrl+K</source>
        <extracomment>The tabs that load their data only while shown. Keystrokes closer together than this are one query: no query storm while typing a number. Many changes in a row (a sync applying pages, several edits) refresh the views once. The filters&apos; lists are read after the first rows, or after this long if none are drawn. How long a hint stays in the status bar. The search results for the text now in the box are on screen (text, hit count). Views were refreshed after a change (for tests and screen pops). Changes not yet shown: a burst of edits or sync pages refreshes the views once. Who owns the accounts in this replica (a manager&apos;s team, as far as it shows).</extracomment>
        <translation>按名称或电话号码搜索客户（任意格式，或后 4 位以上）— Ctrl+K</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="163"/>
        <source>Tags computed by the server&apos;s rules</source>
        <translation>由服务器规则计算的标签</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="165"/>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="166"/>
        <source>All owners</source>
        <translation>全部负责人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="167"/>
        <source>All tags</source>
        <translation>全部标签</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="168"/>
        <source>All system tags</source>
        <translation>全部系统标签</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="215"/>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="216"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="217"/>
        <source>Pipeline</source>
        <translation>销售漏斗</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="218"/>
        <source>Activity</source>
        <translation>活动</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="219"/>
        <source>Reports</source>
        <translation>报表</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="230"/>
        <source>Audit</source>
        <extracomment>Tabs that load only while shown: stale when built and when data changes after.</extracomment>
        <translation>审计</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="234"/>
        <source>Duplicates</source>
        <translation>重复数据</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="324"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="362"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="363"/>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="366"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="370"/>
        <source>&amp;Customer</source>
        <translation>客户(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="371"/>
        <source>Log a &amp;call…</source>
        <translation>记录电话(&amp;C)…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="374"/>
        <source>Log a &amp;meeting…</source>
        <translation>记录会议(&amp;M)…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="377"/>
        <source>&amp;Edit customer…</source>
        <translation>编辑客户(&amp;E)…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="380"/>
        <source>&amp;New customer…</source>
        <translation>新建客户(&amp;N)…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="383"/>
        <source>New &amp;opportunity…</source>
        <translation>新建商机(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="392"/>
        <source>Search the &amp;archive…</source>
        <translation>搜索归档(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="394"/>
        <source>Arc&amp;hive this customer…</source>
        <translation>归档此客户(&amp;H)…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="404"/>
        <source>&amp;Sync</source>
        <translation>同步(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="405"/>
        <source>Sync &amp;now</source>
        <translation>立即同步(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="408"/>
        <source>&amp;Conflicts…</source>
        <translation>冲突(&amp;C)…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="410"/>
        <source>Sync &amp;issues…</source>
        <translation>同步问题(&amp;I)…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="433"/>
        <source>This opportunity is no longer in your replica.</source>
        <translation>此商机已不在您的本地副本中。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="506"/>
        <source>Prospect</source>
        <translation>潜在客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="507"/>
        <source>Active customer</source>
        <translation>活跃客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="508"/>
        <source>Dormant</source>
        <translation>休眠</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="509"/>
        <source>Former customer</source>
        <translation>前客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="576"/>
        <source>%1 match(es) for “%2”. Enter opens the first.</source>
        <translation>“%2”共 %1 条结果。按回车打开第一条。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="581"/>
        <source>No customer matches “%1”.</source>
        <translation>没有与“%1”匹配的客户。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="587"/>
        <source>Search failed: %1</source>
        <translation>搜索失败：%1</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="638"/>
        <source>%1 customers</source>
        <translation>%1 个客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="665"/>
        <source>Open a customer first (search with Ctrl+K).</source>
        <translation>请先打开一个客户（按 Ctrl+K 搜索）。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="738"/>
        <source>Remove contact</source>
        <translation>删除联系人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="739"/>
        <source>Remove %1 from %2? Their calls and meetings stay in the timeline.</source>
        <translation>要从 %2 删除 %1 吗？其通话和会议记录仍保留在时间线中。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="784"/>
        <source>Archive customer</source>
        <translation>归档客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="786"/>
        <source>Archive %1? It leaves every computer at their next sync and stays on the server, where “Search the archive” finds it.</source>
        <translation>归档 %1？下次同步时它将从所有电脑上移除，但保留在服务器上，可通过“搜索归档”找到。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="796"/>
        <source>%1 is archived.</source>
        <translation>%1 已归档。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="801"/>
        <source>Could not archive %1: %2</source>
        <translation>无法归档 %1：%2</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="821"/>
        <source>This person was erased at their request.</source>
        <translation>此联系人已应本人要求删除。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="905"/>
        <source>Syncing…</source>
        <translation>正在同步…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="918"/>
        <source>Sync stopped; it continues later.</source>
        <translation>同步已停止，稍后继续。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="926"/>
        <source>The server was restored from a backup; your unsynced changes were sent again and your data was refreshed.</source>
        <translation>服务器已从备份恢复；您未同步的更改已重新发送，数据已刷新。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="938"/>
        <source>Offline — your changes are kept and sent later.</source>
        <translation>离线 — 您的更改已保存，稍后发送。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="940"/>
        <source>Please sign in again to sync.</source>
        <translation>请重新登录以同步。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="941"/>
        <source>Sync failed: %1</source>
        <translation>同步失败：%1</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="949"/>
        <source>%1 change(s) waiting to be sent</source>
        <translation>%1 项更改待发送</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="951"/>
        <source>All changes sent</source>
        <translation>所有更改已发送</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="953"/>
        <source>%1 conflict(s)</source>
        <translation>%1 个冲突</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="955"/>
        <source>%1 sync issue(s)</source>
        <translation>%1 个同步问题</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="964"/>
        <source>%1 was deleted by %2</source>
        <translation>%1 已被 %2 删除</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="969"/>
        <source>%1 customers deleted under your work</source>
        <translation>%1 个客户在你有工作时被删除</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="973"/>
        <source>%1 — deleted by %2; %3 unsynced change(s) kept, not sent</source>
        <translation>%1 — 由 %2 删除；%3 项未同步的更改已保留，未发送</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="985"/>
        <source>● Local only</source>
        <translation>● 仅本地</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="989"/>
        <source>● Online</source>
        <translation>● 在线</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="991"/>
        <source>● Offline</source>
        <translation>● 离线</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="993"/>
        <source>● Sign-in needed</source>
        <translation>● 需要登录</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="995"/>
        <source>● Server problem</source>
        <translation>● 服务器问题</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="997"/>
        <source>● Connecting…</source>
        <translation>● 正在连接…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="1003"/>
        <source>Last sync: %1</source>
        <translation>上次同步：%1</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="1005"/>
        <source>Never synced</source>
        <translation>从未同步</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="1011"/>
        <source>just now</source>
        <translation>刚刚</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="1013"/>
        <source>%1 min ago</source>
        <translation>%1 分钟前</translation>
    </message>
</context>
<context>
    <name>MergeDialog</name>
    <message>
        <location filename="../../desktop_crm/ui/merge_dialog.py" line="40"/>
        <source>Offline: duplicates are reviewed and merged on the server. Connect and retry.</source>
        <translation>离线：重复数据的审核与合并在服务器上进行。请联网后重试。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/merge_dialog.py" line="45"/>
        <source>Sign in to review duplicates.</source>
        <translation>请登录后审核重复数据。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/merge_dialog.py" line="47"/>
        <source>Not found, or not allowed for your role: %1</source>
        <translation>未找到，或您的角色无权查看：%1</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/merge_dialog.py" line="51"/>
        <source>The server refused: %1</source>
        <translation>服务器拒绝：%1</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/merge_dialog.py" line="54"/>
        <source>The server could not be asked: %1</source>
        <translation>无法向服务器查询：%1</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/merge_dialog.py" line="83"/>
        <source>Merge two customers</source>
        <translation>合并两个客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/merge_dialog.py" line="85"/>
        <source>Merge two contacts</source>
        <translation>合并两个联系人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/merge_dialog.py" line="89"/>
        <source>Pick the record that stays and, where the two differ, the value it keeps. Everything under the other record moves to the one that stays, and its name is kept as a former name. An administrator can undo the merge.</source>
        <translation>选择保留的记录，并在两者不同之处选择要保留的值。另一条记录下的所有内容都会移到保留的记录下，其名称作为曾用名保留。管理员可以撤销合并。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/merge_dialog.py" line="95"/>
        <location filename="../../desktop_crm/ui/merge_dialog.py" line="96"/>
        <source>Keep “%1”</source>
        <translation>保留“%1”</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/merge_dialog.py" line="115"/>
        <source>Merge</source>
        <translation>合并</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/merge_dialog.py" line="118"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/merge_dialog.py" line="143"/>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/merge_dialog.py" line="143"/>
        <source>Keep</source>
        <translation>保留</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/merge_dialog.py" line="151"/>
        <source>Both records hold the same values.</source>
        <translation>两条记录的值相同。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/merge_dialog.py" line="169"/>
        <source>Left</source>
        <translation>左侧</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/merge_dialog.py" line="169"/>
        <source>Right</source>
        <translation>右侧</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/merge_dialog.py" line="188"/>
        <source>A record of this pair is not on this computer yet: sync, then try again.</source>
        <translation>这一对中有记录尚未同步到本机：请先同步，再重试。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/merge_dialog.py" line="191"/>
        <source>Could not read the two records: %1</source>
        <translation>无法读取这两条记录：%1</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/merge_dialog.py" line="221"/>
        <source>Merging…</source>
        <translation>正在合并…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/merge_dialog.py" line="238"/>
        <source>The merge was not done. %1</source>
        <translation>未完成合并。%1</translation>
    </message>
</context>
<context>
    <name>OpportunityDialog</name>
    <message>
        <location filename="../../desktop_crm/ui/opportunity_dialog.py" line="139"/>
        <source>New opportunity — %1</source>
        <translation>新建商机 — %1</translation>
    </message>
</context>
<context>
    <name>OpportunityEditDialog</name>
    <message>
        <location filename="../../desktop_crm/ui/opportunity_dialog.py" line="164"/>
        <source>Opportunity — %1</source>
        <translation>商机 — %1</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/opportunity_dialog.py" line="168"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/opportunity_dialog.py" line="195"/>
        <source>Find another customer…</source>
        <translation>查找其他客户…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/opportunity_dialog.py" line="229"/>
        <source>(nobody)</source>
        <translation>（无人）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/opportunity_dialog.py" line="237"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/opportunity_dialog.py" line="237"/>
        <source>What</source>
        <translation>内容</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/opportunity_dialog.py" line="237"/>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/opportunity_dialog.py" line="237"/>
        <source>Summary</source>
        <translation>摘要</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/opportunity_dialog.py" line="245"/>
        <source>This deal&apos;s timeline</source>
        <translation>此商机的时间线</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/opportunity_dialog.py" line="262"/>
        <source>Log call</source>
        <translation>记录电话</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/opportunity_dialog.py" line="263"/>
        <source>Log meeting</source>
        <translation>记录会议</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/opportunity_dialog.py" line="264"/>
        <source>Log visit</source>
        <translation>记录拜访</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/opportunity_dialog.py" line="265"/>
        <source>Log e-mail</source>
        <translation>记录邮件</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/opportunity_dialog.py" line="266"/>
        <source>Add note</source>
        <translation>添加备注</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/opportunity_dialog.py" line="272"/>
        <source>hidden for your role</source>
        <translation>因您的角色而隐藏</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/opportunity_dialog.py" line="388"/>
        <source>Move the deal&apos;s activities?</source>
        <translation>一并移动商机的活动？</translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop_crm/ui/opportunity_dialog.py" line="390"/>
        <source>This deal has %n activity(s) under “%1”. Move them to “%2” with the deal? If not, they stay in the timeline of “%1”.</source>
        <translation>
            <numerusform>此商机在“%1”下有 %n 条活动。是否随商机一起移到“%2”？否则它们留在“%1”的时间线中。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/opportunity_dialog.py" line="440"/>
        <source>This opportunity is no longer in your replica.</source>
        <translation>此商机已不在您的本地副本中。</translation>
    </message>
</context>
<context>
    <name>OpportunityForm</name>
    <message>
        <location filename="../../desktop_crm/ui/opportunity_dialog.py" line="73"/>
        <source>e.g. 2027 service contract</source>
        <extracomment>(user id, name) a deal may be given to; None where this user may not reassign.</extracomment>
        <translation>例如：2027 年服务合同</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/opportunity_dialog.py" line="83"/>
        <source>Expected to close by</source>
        <translation>预计成交日期</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/opportunity_dialog.py" line="102"/>
        <source>Type the amount as a number, e.g. 120000 or 99.50.</source>
        <translation>请输入数字金额，例如 120000 或 99.50。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/opportunity_dialog.py" line="105"/>
        <source>The amount must be a number.</source>
        <translation>金额必须是数字。</translation>
    </message>
</context>
<context>
    <name>PipelineChart</name>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="57"/>
        <source>Count</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="58"/>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="62"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="74"/>
        <source>No opportunities</source>
        <translation>没有商机</translation>
    </message>
</context>
<context>
    <name>PipelineView</name>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="143"/>
        <source>Opportunity</source>
        <translation>商机</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="144"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="145"/>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="146"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="147"/>
        <source>Close</source>
        <translation>预计成交</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="154"/>
        <source>Move to stage</source>
        <translation>移到阶段</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="156"/>
        <source>Open customer</source>
        <translation>打开客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="168"/>
        <source>Double-click an opportunity to edit it</source>
        <translation>双击商机进行编辑</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="170"/>
        <source>Selected opportunity:</source>
        <translation>所选商机：</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/stage_labels.py" line="11"/>
        <source>Lead</source>
        <translation>线索</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/stage_labels.py" line="12"/>
        <source>Qualified</source>
        <translation>已确认</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/stage_labels.py" line="13"/>
        <source>Proposal</source>
        <translation>方案</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/stage_labels.py" line="14"/>
        <source>Negotiation</source>
        <translation>谈判</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/stage_labels.py" line="15"/>
        <source>Won</source>
        <translation>赢单</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/stage_labels.py" line="16"/>
        <source>Lost</source>
        <translation>丢单</translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="227"/>
        <source>%n opportunity(s) in other currencies are counted, but their amounts are not added up.</source>
        <translation>
            <numerusform>另有 %n 个其他币种的商机已计入数量，但金额未合计。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="276"/>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="283"/>
        <source>Pick an opportunity in the list first.</source>
        <translation>请先在列表中选择一个商机。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="289"/>
        <source>Moving…</source>
        <translation>正在移动…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="299"/>
        <source>Moved. It goes to the server with the next sync.</source>
        <translation>已移动，下次同步时发送到服务器。</translation>
    </message>
</context>
<context>
    <name>ProfileController</name>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="467"/>
        <source>Work offline</source>
        <extracomment>The open offer to rebuild a damaged replica (non-modal), and the last rebuild&apos;s result.</extracomment>
        <translation>离线工作</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="549"/>
        <source>That passphrase does not open this replica.</source>
        <translation>该口令无法打开此本地副本。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="566"/>
        <source>%1

Rebuild it from the server? Your unsynced changes, conflicts and sync issues are exported to a file first, and the damaged file is kept beside it.</source>
        <translation>%1

要从服务器重建吗？尚未同步的修改、冲突和同步问题会先导出到一个文件，损坏的文件也会保留在旁边。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="574"/>
        <source>Rebuild from the server</source>
        <translation>从服务器重建</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="576"/>
        <source>Not now</source>
        <translation>暂不</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="597"/>
        <source>Your unsynced work was exported to %1; the damaged file is kept in %2. Sign in to sync a fresh copy from the server.</source>
        <translation>尚未同步的工作已导出到 %1；损坏的文件保存在 %2。请登录以从服务器同步一份新的副本。</translation>
    </message>
</context>
<context>
    <name>ReachableLabels</name>
    <message>
        <location filename="../../desktop_crm/ui/consent.py" line="155"/>
        <source>Any consent</source>
        <translation>任何同意情况</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/consent.py" line="159"/>
        <source>Someone may be called</source>
        <translation>有人同意接听电话</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/consent.py" line="160"/>
        <source>Someone may be e-mailed</source>
        <translation>有人同意接收邮件</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/consent.py" line="161"/>
        <source>Someone may be texted</source>
        <translation>有人同意接收短信</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/consent.py" line="162"/>
        <source>Someone without consent</source>
        <translation>有人未给予任何同意</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/consent.py" line="163"/>
        <source>Someone marked do-not-contact</source>
        <translation>有人标记为请勿联系</translation>
    </message>
</context>
<context>
    <name>RecordDialog</name>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="154"/>
        <source>Your role may not read this field; the server keeps it.</source>
        <extracomment>The values checked: the warning is shown once per set of values. The account id of a similar record the user chose to open instead of saving. The values whose similar records were last shown (Save again: save anyway).</extracomment>
        <translation>您的角色无权查看此字段；服务器保存着它的内容。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="156"/>
        <source>hidden for your role</source>
        <translation>因您的角色而隐藏</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="203"/>
        <source>Save anyway</source>
        <translation>仍然保存</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="230"/>
        <source>Could not save: %s</source>
        <translation>无法保存：%s</translation>
    </message>
</context>
<context>
    <name>ReportsView</name>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="136"/>
        <source>Everyone</source>
        <translation>所有人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="138"/>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="145"/>
        <source>Period:</source>
        <translation>期间：</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="147"/>
        <source>Whose:</source>
        <translation>谁的：</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="158"/>
        <source>Last 30 days</source>
        <translation>最近 30 天</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="159"/>
        <source>Last 90 days</source>
        <translation>最近 90 天</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="160"/>
        <source>This quarter</source>
        <translation>本季度</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="161"/>
        <source>This year</source>
        <translation>今年</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="162"/>
        <source>Last 12 months</source>
        <translation>最近 12 个月</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="166"/>
        <source>Nothing in this period</source>
        <translation>此期间没有数据</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="168"/>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="168"/>
        <source>Reached</source>
        <translation>到达</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="168"/>
        <source>Conversion</source>
        <translation>转化率</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="171"/>
        <source>No open opportunities with a close date</source>
        <translation>没有带预计成交日期的进行中商机</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="175"/>
        <source>Month</source>
        <translation>月份</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="176"/>
        <source>Currency</source>
        <translation>币种</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="177"/>
        <source>Opportunities</source>
        <translation>商机</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="178"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="179"/>
        <source>Weighted</source>
        <translation>加权金额</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="185"/>
        <source>Person / week</source>
        <translation>人员 / 周</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="185"/>
        <source>Activities</source>
        <translation>活动</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="185"/>
        <source>Per week</source>
        <translation>每周</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="188"/>
        <source>No overdue follow-ups</source>
        <translation>没有逾期的跟进</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="189"/>
        <source>Person</source>
        <translation>人员</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="189"/>
        <source>Overdue follow-ups</source>
        <translation>逾期跟进</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="193"/>
        <source>Funnel and win rate</source>
        <translation>销售漏斗与赢单率</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="195"/>
        <source>Weighted forecast by month of expected close</source>
        <translation>按预计成交月份的加权预测</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="201"/>
        <source>Activities per person per week</source>
        <translation>每人每周的活动</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="207"/>
        <source>Overdue follow-ups per person</source>
        <translation>每人的逾期跟进</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="243"/>
        <source>Computing…</source>
        <translation>正在计算…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="255"/>
        <source>(nobody)</source>
        <translation>（无人）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="263"/>
        <source>Reports, %1 to %2</source>
        <translation>报表，%1 至 %2</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="283"/>
        <source>Win rate: %1 (%2 won, %3 lost in the period)</source>
        <translation>赢单率：%1（此期间赢单 %2 个，输单 %3 个）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="314"/>
        <source>Weighted: amount × probability, per currency (never added across currencies). %1 open opportunity(s) have no expected close date.</source>
        <translation>加权金额：金额 × 概率，按币种分别计算（不同币种从不相加）。%1 个进行中的商机没有预计成交日期。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="343"/>
        <source>Export reports</source>
        <translation>导出报表</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="350"/>
        <source>The reports are still being computed.</source>
        <translation>报表仍在计算中。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="366"/>
        <source>Exported %1 row(s) to %2</source>
        <translation>已导出 %1 行到 %2</translation>
    </message>
</context>
<context>
    <name>SearchHitsModel</name>
    <message>
        <location filename="../../desktop_crm/ui/search_window.py" line="25"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/search_window.py" line="26"/>
        <source>Contact</source>
        <translation>联系人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/search_window.py" line="27"/>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/search_window.py" line="28"/>
        <source>Match</source>
        <translation>匹配</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/search_window.py" line="31"/>
        <source>phone: exact</source>
        <translation>电话：完全匹配</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/search_window.py" line="32"/>
        <source>phone: same national number</source>
        <translation>电话：同一国内号码</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/search_window.py" line="33"/>
        <source>phone: last digits</source>
        <translation>电话：尾号</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/search_window.py" line="34"/>
        <source>contact name</source>
        <translation>联系人姓名</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/search_window.py" line="35"/>
        <source>customer name</source>
        <translation>客户名称</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="129"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="131"/>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="137"/>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="141"/>
        <source>Set by your IT department.</source>
        <translation>由贵公司 IT 部门设定。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="143"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="144"/>
        <source>Sync every</source>
        <translation>同步间隔</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="36"/>
        <source>Sign in to Desktop CRM</source>
        <translation>登录桌面 CRM</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="36"/>
        <location filename="../../desktop_crm/ui/first_run.py" line="85"/>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="40"/>
        <source>Your customers are copied to this computer, encrypted, so you can work offline. Sign in to download them.</source>
        <translation>您的客户数据会加密复制到这台电脑，以便离线工作。登录以下载。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="44"/>
        <source>Sign in to sync with the server.</source>
        <translation>登录以与服务器同步。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="51"/>
        <source>Set by your IT department.</source>
        <translation>由贵公司 IT 部门设定。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="63"/>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="64"/>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="65"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="70"/>
        <source>This computer has no keychain to keep the replica&apos;s key. Choose a passphrase; you will type it each time the app starts.</source>
        <translation>这台电脑没有可保存密钥的钥匙串。请设置一个口令，每次启动时输入。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="74"/>
        <source>Type the passphrase of this computer&apos;s encrypted replica.</source>
        <translation>请输入本机加密副本的口令。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="78"/>
        <source>Passphrase</source>
        <translation>口令</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="80"/>
        <source>Passphrase again</source>
        <translation>再次输入口令</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="101"/>
        <source>Enter the server&apos;s address, starting with https://</source>
        <translation>请输入服务器地址，以 https:// 开头</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="103"/>
        <source>Enter your user name.</source>
        <translation>请输入用户名。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="105"/>
        <source>Enter your password.</source>
        <translation>请输入密码。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="108"/>
        <source>The passphrase needs at least 8 characters.</source>
        <translation>口令至少需要 8 个字符。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="110"/>
        <source>The two passphrases differ.</source>
        <translation>两次输入的口令不一致。</translation>
    </message>
</context>
<context>
    <name>StageRuleMessage</name>
    <message>
        <location filename="../../desktop_crm/ui/stage_rule_message.py" line="24"/>
        <source>Log a call for this deal</source>
        <translation>为此商机记录电话</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/stage_rule_message.py" line="25"/>
        <source>Set the close date</source>
        <translation>设置成交日期</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/stage_rule_message.py" line="53"/>
        <source>Cannot move to “%1” yet: %2.</source>
        <translation>暂不能移到“%1”：请先%2。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/stage_rule_message.py" line="62"/>
        <source>log a call or meeting since the last stage change</source>
        <translation>在上次阶段变更后记录一次电话或会议</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/stage_rule_message.py" line="63"/>
        <source>set an expected close date</source>
        <translation>设置预计成交日期</translation>
    </message>
</context>
<context>
    <name>SyncIssuesDialog</name>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="316"/>
        <source>Sync issues</source>
        <translation>同步问题</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="323"/>
        <source>The refused change, as JSON: edit it, then retry.</source>
        <translation>被拒绝的更改（JSON）：修改后重试。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="324"/>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="325"/>
        <source>Discard</source>
        <translation>放弃</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="326"/>
        <source>Export all…</source>
        <translation>全部导出…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="368"/>
        <source>No sync issues: the server took every change.</source>
        <translation>没有同步问题：服务器已接受所有更改。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="377"/>
        <source>The server refused this change: %1</source>
        <translation>服务器拒绝了此更改：%1</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="394"/>
        <source>Not valid JSON: %1</source>
        <translation>不是有效的 JSON：%1</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="418"/>
        <source>Export sync issues</source>
        <translation>导出同步问题</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="430"/>
        <source>Exported %1 issue(s) to %2</source>
        <translation>已将 %1 个问题导出到 %2</translation>
    </message>
</context>
<context>
    <name>SyncProgressPanel</name>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="578"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="587"/>
        <source>Connecting to the server…</source>
        <translation>正在连接服务器…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="588"/>
        <source>Signing in…</source>
        <translation>正在登录…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="589"/>
        <source>Downloading your customers…</source>
        <translation>正在下载您的客户…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="590"/>
        <source>Receiving changes…</source>
        <translation>正在接收更改…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="591"/>
        <source>Sending your changes…</source>
        <translation>正在发送您的更改…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="592"/>
        <source>Removing records that left your scope…</source>
        <translation>正在移除已不属于您的记录…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="593"/>
        <source>Done.</source>
        <translation>完成。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="594"/>
        <source>Sync stopped; it continues next time.</source>
        <translation>同步已停止，下次继续。</translation>
    </message>
</context>
<context>
    <name>TimelineModel</name>
    <message>
        <location filename="../../desktop_crm/ui/timeline_model.py" line="48"/>
        <source>hidden for your role</source>
        <extracomment>A page arrived (rows now held, whether more are waiting). The rows were read anew (a customer, a filter or a reload), or reading them failed. Reading a page failed (the error, for the user). Set by the customer view: names instead of ids.</extracomment>
        <translation>您的角色无权查看</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/timeline_model.py" line="49"/>
        <source>Your role may not read this field. It is not empty.</source>
        <translation>您的角色无权查看此字段。它并非空白。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/timeline_model.py" line="52"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/timeline_model.py" line="53"/>
        <source>What</source>
        <translation>事项</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/timeline_model.py" line="54"/>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/timeline_model.py" line="55"/>
        <source>Summary</source>
        <translation>摘要</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/timeline_model.py" line="56"/>
        <source>By</source>
        <translation>记录人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/timeline_model.py" line="181"/>
        <source>follow up %1</source>
        <translation>跟进 %1</translation>
    </message>
</context>
<context>
    <name>TimelinePane</name>
    <message>
        <location filename="../../desktop_crm/ui/customer_history.py" line="46"/>
        <source>All kinds</source>
        <translation>所有类型</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/customer_history.py" line="48"/>
        <source>Calls</source>
        <translation>电话</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/customer_history.py" line="49"/>
        <source>Meetings</source>
        <translation>会议</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/customer_history.py" line="50"/>
        <source>Visits</source>
        <translation>拜访</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/customer_history.py" line="51"/>
        <source>E-mails</source>
        <translation>邮件</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/customer_history.py" line="52"/>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/customer_history.py" line="57"/>
        <source>All opportunities</source>
        <translation>所有商机</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/customer_history.py" line="124"/>
        <source>Could not read the timeline: %1</source>
        <translation>无法读取时间线：%1</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/customer_history.py" line="128"/>
        <source>Showing %1 — scroll down for older ones</source>
        <translation>已显示 %1 条 — 向下滚动查看更早的记录</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/customer_history.py" line="130"/>
        <source>%1 activities</source>
        <translation>共 %1 条活动</translation>
    </message>
</context>
<context>
    <name>TodayView</name>
    <message>
        <location filename="../../desktop_crm/ui/today_view.py" line="43"/>
        <source>Due</source>
        <translation>到期</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/today_view.py" line="43"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/today_view.py" line="43"/>
        <source>Contact</source>
        <translation>联系人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/today_view.py" line="43"/>
        <source>About</source>
        <translation>事项</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/today_view.py" line="49"/>
        <source>Mark done</source>
        <translation>标记完成</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/today_view.py" line="51"/>
        <source>Open customer</source>
        <translation>打开客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/today_view.py" line="76"/>
        <source>%1 overdue, %2 due today</source>
        <translation>%1 项已逾期，%2 项今天到期</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/today_view.py" line="80"/>
        <source>Nothing due today. Well done.</source>
        <translation>今天没有到期事项，干得好。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/today_view.py" line="98"/>
        <source>Overdue</source>
        <translation>已逾期</translation>
    </message>
</context>
</TS>
