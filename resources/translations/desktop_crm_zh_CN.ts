<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Account360View</name>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="66"/>
        <source>Search for a customer (Ctrl+K) or pick one from the list.</source>
        <translation>搜索客户（Ctrl+K）或从列表中选择。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="85"/>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="86"/>
        <source>Log call (Ctrl+L)</source>
        <translation>记录电话 (Ctrl+L)</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="87"/>
        <source>Log meeting</source>
        <translation>记录会议</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="88"/>
        <source>Add contact</source>
        <translation>添加联系人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="89"/>
        <source>New opportunity</source>
        <translation>新建商机</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="115"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="116"/>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="117"/>
        <source>Industry</source>
        <translation>行业</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="118"/>
        <source>Country</source>
        <translation>国家</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="119"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="120"/>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="121"/>
        <source>Open pipeline</source>
        <translation>进行中的金额</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="122"/>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="139"/>
        <source>Contact / phone</source>
        <translation>联系人 / 电话</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="139"/>
        <source>Title / kind</source>
        <translation>职位 / 类型</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="146"/>
        <source>Edit contact…</source>
        <translation>编辑联系人…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="148"/>
        <source>Remove contact…</source>
        <translation>删除联系人…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="159"/>
        <source>Opportunity</source>
        <translation>商机</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="160"/>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="161"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="162"/>
        <source>Prob.</source>
        <translation>概率</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="163"/>
        <source>Score</source>
        <translation>加权值</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="164"/>
        <source>Close</source>
        <translation>预计成交</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="177"/>
        <location filename="../../desktop_crm/ui/account_view.py" line="189"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="178"/>
        <source>What</source>
        <translation>内容</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="179"/>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="180"/>
        <source>Summary</source>
        <translation>摘要</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="181"/>
        <source>By</source>
        <translation>记录人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="189"/>
        <source>Change</source>
        <translation>变更</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="193"/>
        <source>Timeline</source>
        <translation>时间线</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="194"/>
        <source>Status history and former names</source>
        <translation>状态历史与曾用名</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="198"/>
        <source>Contacts</source>
        <translation>联系人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="199"/>
        <source>Open opportunities</source>
        <translation>进行中的商机</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="289"/>
        <source>This customer is no longer in your replica.</source>
        <translation>此客户已不在您的本地副本中。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="340"/>
        <source>Status: %1 → %2</source>
        <translation>状态：%1 → %2</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="347"/>
        <source>Formerly named “%1”</source>
        <translation>曾用名“%1”</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="358"/>
        <source>hidden for your role</source>
        <translation>因您的角色而隐藏</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="361"/>
        <source>Your role may not read this field. It is not empty: the server keeps it.</source>
        <translation>您的角色无权查看此字段。它并非为空：服务器保存着它的内容。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="376"/>
        <source>Double-click to edit</source>
        <translation>双击编辑</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="403"/>
        <source>Call</source>
        <translation>电话</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="404"/>
        <source>Meeting</source>
        <translation>会议</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="405"/>
        <source>Visit</source>
        <translation>拜访</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="406"/>
        <source>E-mail</source>
        <translation>邮件</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="407"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/account_view.py" line="419"/>
        <source>follow up %1</source>
        <translation>跟进 %1</translation>
    </message>
</context>
<context>
    <name>AccountDialog</name>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="247"/>
        <source>Edit customer</source>
        <translation>编辑客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="247"/>
        <source>New customer</source>
        <translation>新建客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="276"/>
        <source>(nobody)</source>
        <translation>（无人）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="279"/>
        <source>Country (2 letters)</source>
        <translation>国家（两位字母）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="282"/>
        <source>Tags (comma-separated)</source>
        <translation>标签（逗号分隔）</translation>
    </message>
</context>
<context>
    <name>AccountsModel</name>
    <message>
        <location filename="../../desktop_crm/ui/accounts_model.py" line="62"/>
        <source>Customer</source>
        <extracomment>Rows read per trip to the worker. The ids of a new filter/sort arrived (count of rows).</extracomment>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/accounts_model.py" line="63"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/accounts_model.py" line="64"/>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/accounts_model.py" line="65"/>
        <source>Industry</source>
        <translation>行业</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/accounts_model.py" line="66"/>
        <source>Country</source>
        <translation>国家</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/accounts_model.py" line="67"/>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
</context>
<context>
    <name>ActivityDialog</name>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="418"/>
        <source>Log a call — %s</source>
        <translation>记录电话 — %s</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="418"/>
        <source>Log a meeting — %s</source>
        <translation>记录会议 — %s</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="423"/>
        <source>(no particular contact)</source>
        <translation>（不指定联系人）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="430"/>
        <source>Inbound (they called)</source>
        <translation>呼入（对方来电）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="431"/>
        <source>Outbound (we called)</source>
        <translation>呼出（我方致电）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="439"/>
        <source>Reached</source>
        <translation>已接通</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="440"/>
        <source>Left a voicemail</source>
        <translation>已留言</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="441"/>
        <source>No answer</source>
        <translation>无人接听</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="442"/>
        <source>Wrong number</source>
        <translation>号码错误</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="445"/>
        <source>Held</source>
        <translation>已举行</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="445"/>
        <source>Rescheduled</source>
        <translation>已改期</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="445"/>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="450"/>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="453"/>
        <source>Names, comma-separated</source>
        <translation>姓名，用逗号分隔</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="455"/>
        <source>What was said, what was agreed</source>
        <translation>谈了什么，约定了什么</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="457"/>
        <source>Follow up on</source>
        <translation>跟进时间</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="492"/>
        <source>%1 deleted this customer on the server. What you log here is kept on this computer and not sent until the customer is restored, or you export it.</source>
        <translation>%1 已在服务器上删除该客户。你在这里记录的内容会保留在本机，在客户恢复或你将其导出之前不会发送。</translation>
    </message>
</context>
<context>
    <name>ActivityFeedView</name>
    <message>
        <location filename="../../desktop_crm/ui/activity_view.py" line="43"/>
        <source>Everyone</source>
        <extracomment>How many activities the list shows.</extracomment>
        <translation>所有人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/activity_view.py" line="49"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/activity_view.py" line="50"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/activity_view.py" line="51"/>
        <source>What</source>
        <translation>内容</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/activity_view.py" line="52"/>
        <source>By</source>
        <translation>记录人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/activity_view.py" line="53"/>
        <source>Summary</source>
        <translation>摘要</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/activity_view.py" line="62"/>
        <source>Whose:</source>
        <translation>记录人：</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/activity_view.py" line="87"/>
        <source>Call</source>
        <translation>电话</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/activity_view.py" line="88"/>
        <source>Meeting</source>
        <translation>会议</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/activity_view.py" line="89"/>
        <source>Visit</source>
        <translation>拜访</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/activity_view.py" line="90"/>
        <source>E-mail</source>
        <translation>邮件</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/activity_view.py" line="91"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/activity_view.py" line="94"/>
        <source>The latest %1 activities</source>
        <translation>最近 %1 条活动</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/activity_view.py" line="96"/>
        <source>No activities yet.</source>
        <translation>还没有活动记录。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/activity_view.py" line="112"/>
        <source>hidden for your role</source>
        <translation>因您的角色而隐藏</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/activity_view.py" line="116"/>
        <source>Your role may not read this field.</source>
        <translation>您的角色无权查看此字段。</translation>
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
        <location filename="../../desktop_crm/ui/app_controller.py" line="122"/>
        <source>The first sync did not finish: %1

You can work with what arrived; the sync continues in the background.</source>
        <translation>首次同步未完成：%1

您可以使用已下载的数据，同步将在后台继续。</translation>
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
        <location filename="../../desktop_crm/ui/sync_views.py" line="158"/>
        <source>You and a colleague changed the same thing while apart. For each field, keep yours, take theirs, or type the right value.</source>
        <translation>您和同事在离线时修改了同一内容。请对每个字段选择保留您的、采用对方的，或输入正确的值。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="176"/>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="176"/>
        <source>Before</source>
        <translation>原值</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="176"/>
        <location filename="../../desktop_crm/ui/sync_views.py" line="222"/>
        <source>Mine</source>
        <translation>我的</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="176"/>
        <location filename="../../desktop_crm/ui/sync_views.py" line="223"/>
        <source>Theirs</source>
        <translation>对方的</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="177"/>
        <source>Decision</source>
        <translation>决定</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="186"/>
        <source>Keep it deleted</source>
        <translation>保持删除</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="187"/>
        <source>Restore the edited record</source>
        <translation>恢复修改后的记录</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="191"/>
        <source>you</source>
        <translation>您</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="191"/>
        <source>a colleague</source>
        <translation>同事</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="193"/>
        <source>Deleted by %1, edited by the other side.</source>
        <translation>%1删除了它，另一方修改了它。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="224"/>
        <source>Edit:</source>
        <translation>修改：</translation>
    </message>
</context>
<context>
    <name>ContactDialog</name>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="319"/>
        <source>Edit contact</source>
        <translation>编辑联系人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="319"/>
        <source>New contact</source>
        <translation>新建联系人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="329"/>
        <source>One number per line, e.g. 138 0013 8000 work</source>
        <translation>每行一个号码，例如 138 0013 8000 work</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="331"/>
        <source>May be called</source>
        <translation>可致电</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="333"/>
        <source>May be e-mailed</source>
        <translation>可发邮件</translation>
    </message>
</context>
<context>
    <name>DeletedCustomersDialog</name>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="460"/>
        <source>Customers deleted while you had work on them</source>
        <translation>你有未同步工作时被删除的客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="465"/>
        <source>Restore the customer</source>
        <translation>恢复该客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="466"/>
        <source>Export my work…</source>
        <translation>导出我的工作…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="496"/>
        <source>%1 — deleted by %2</source>
        <translation>%1 — 由 %2 删除</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="502"/>
        <source>Nothing waits: no customer was deleted under your work.</source>
        <translation>没有待处理项：没有客户在你有工作时被删除。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="506"/>
        <source>Only a manager or an administrator can restore it.</source>
        <translation>只有经理或管理员可以恢复它。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="515"/>
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
        <location filename="../../desktop_crm/ui/app_controller.py" line="262"/>
        <source>Desktop CRM — demo</source>
        <translation>桌面 CRM — 演示</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="272"/>
        <source>Starting the demo server with %1 customers…</source>
        <translation>正在启动包含 %1 个客户的演示服务器…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="328"/>
        <source>&amp;Demo</source>
        <translation>演示(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="330"/>
        <source>Sales rep (rep1)</source>
        <translation>销售代表 (rep1)</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="331"/>
        <source>Service desk (desk1)</source>
        <translation>客服 (desk1)</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="332"/>
        <source>Sales manager (manager1)</source>
        <translation>销售经理 (manager1)</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="336"/>
        <source>Sign in as %1</source>
        <translation>以 %1 登录</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="343"/>
        <source>Simulate a colleague&apos;s edit</source>
        <translation>模拟同事的修改</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="374"/>
        <source>%1 changed the notes of “%2” on the server.</source>
        <translation>%1 在服务器上修改了“%2”的备注。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="378"/>
        <source>A colleague edited a customer</source>
        <translation>同事编辑了一个客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="379"/>
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
        <location filename="../../desktop_crm/ui/duplicate_warning.py" line="36"/>
        <source>Open one of them, or press Save again to save anyway.</source>
        <extracomment>Candidates listed, at most. The account id of a candidate the user chose to open instead.</extracomment>
        <translation>可打开其中一个，或再次点击“保存”仍然保存。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/duplicate_warning.py" line="44"/>
        <source>name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/duplicate_warning.py" line="45"/>
        <source>same phone</source>
        <translation>电话相同</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/duplicate_warning.py" line="46"/>
        <source>same e-mail</source>
        <translation>邮箱相同</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/duplicate_warning.py" line="58"/>
        <source>&lt;b&gt;Similar customers already exist&lt;/b&gt;</source>
        <translation>&lt;b&gt;已存在相似的客户&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/duplicate_warning.py" line="60"/>
        <source>&lt;b&gt;Similar contacts already exist&lt;/b&gt;</source>
        <translation>&lt;b&gt;已存在相似的联系人&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/duplicate_warning.py" line="68"/>
        <source>%1 — %2% (%3)</source>
        <translation>%1 — %2%（%3）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/duplicate_warning.py" line="68"/>
        <source>%1 at %4 — %2% (%3)</source>
        <translation>%1（%4）— %2%（%3）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/duplicate_warning.py" line="77"/>
        <source>Open</source>
        <translation>打开</translation>
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
        <location filename="../../desktop_crm/ui/field_labels.py" line="37"/>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="38"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="39"/>
        <source>Probability</source>
        <translation>成交概率</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="40"/>
        <source>Close date</source>
        <translation>成交日期</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="42"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="43"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="44"/>
        <source>Contact</source>
        <translation>联系人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="45"/>
        <source>Opportunity</source>
        <translation>商机</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="46"/>
        <source>Direction</source>
        <translation>方向</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="47"/>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="48"/>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="49"/>
        <source>Participants</source>
        <translation>参与人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="50"/>
        <source>Summary</source>
        <translation>摘要</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="51"/>
        <source>Next step</source>
        <translation>下一步</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="52"/>
        <source>Follow-up done</source>
        <translation>跟进已完成</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/field_labels.py" line="53"/>
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
        <location filename="../../desktop_crm/ui/main_window.py" line="107"/>
        <source>Search customers by name or phone number (any format, or the last 4+ digits) — Ctrl+K</source>
        <extracomment>Keystrokes closer together than this are one query: no query storm while typing a number. Many changes in a row (a sync applying pages, several edits) refresh the views once. How long a hint stays in the status bar. The search results for the text now in the box are on screen (text, hit count). Views were refreshed after a change (for tests and screen pops). Changes not yet shown: a burst of edits or sync pages refreshes the views once. Who owns the accounts in this replica (a manager&apos;s team, as far as it shows).</extracomment>
        <translation>按名称或电话号码搜索客户（任意格式，或后 4 位以上）— Ctrl+K</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="143"/>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="144"/>
        <source>All owners</source>
        <translation>全部负责人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="145"/>
        <source>All tags</source>
        <translation>全部标签</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="188"/>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="189"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="190"/>
        <source>Pipeline</source>
        <translation>销售漏斗</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="192"/>
        <source>Activity</source>
        <translation>活动</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="195"/>
        <source>Reports</source>
        <translation>报表</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="222"/>
        <source>Stop</source>
        <extracomment>Tabs that load only while shown; they are marked stale when data changes.</extracomment>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="260"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="261"/>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="264"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="268"/>
        <source>&amp;Customer</source>
        <translation>客户(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="269"/>
        <source>Log a &amp;call…</source>
        <translation>记录电话(&amp;C)…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="272"/>
        <source>Log a &amp;meeting…</source>
        <translation>记录会议(&amp;M)…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="275"/>
        <source>&amp;Edit customer…</source>
        <translation>编辑客户(&amp;E)…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="278"/>
        <source>&amp;New customer…</source>
        <translation>新建客户(&amp;N)…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="281"/>
        <source>New &amp;opportunity…</source>
        <translation>新建商机(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="289"/>
        <source>&amp;Sync</source>
        <translation>同步(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="290"/>
        <source>Sync &amp;now</source>
        <translation>立即同步(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="293"/>
        <source>&amp;Conflicts…</source>
        <translation>冲突(&amp;C)…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="295"/>
        <source>Sync &amp;issues…</source>
        <translation>同步问题(&amp;I)…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="371"/>
        <source>Prospect</source>
        <translation>潜在客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="372"/>
        <source>Active customer</source>
        <translation>活跃客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="373"/>
        <source>Dormant</source>
        <translation>休眠</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="374"/>
        <source>Former customer</source>
        <translation>前客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="439"/>
        <source>%1 match(es) for “%2”. Enter opens the first.</source>
        <translation>“%2”共 %1 条结果。按回车打开第一条。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="443"/>
        <source>No customer matches “%1”.</source>
        <translation>没有与“%1”匹配的客户。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="449"/>
        <source>Search failed: %1</source>
        <translation>搜索失败：%1</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="498"/>
        <source>%1 customers</source>
        <translation>%1 个客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="524"/>
        <source>Open a customer first (search with Ctrl+K).</source>
        <translation>请先打开一个客户（按 Ctrl+K 搜索）。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="597"/>
        <source>Remove contact</source>
        <translation>删除联系人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="598"/>
        <source>Remove %1 from %2? Their calls and meetings stay in the timeline.</source>
        <translation>要从 %2 删除 %1 吗？其通话和会议记录仍保留在时间线中。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="702"/>
        <source>Syncing…</source>
        <translation>正在同步…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="715"/>
        <source>Sync stopped; it continues later.</source>
        <translation>同步已停止，稍后继续。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="726"/>
        <source>Offline — your changes are kept and sent later.</source>
        <translation>离线 — 您的更改已保存，稍后发送。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="728"/>
        <source>Please sign in again to sync.</source>
        <translation>请重新登录以同步。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="729"/>
        <source>Sync failed: %1</source>
        <translation>同步失败：%1</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="737"/>
        <source>%1 change(s) waiting to be sent</source>
        <translation>%1 项更改待发送</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="739"/>
        <source>All changes sent</source>
        <translation>所有更改已发送</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="742"/>
        <source>%1 conflict(s)</source>
        <translation>%1 个冲突</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="745"/>
        <source>%1 sync issue(s)</source>
        <translation>%1 个同步问题</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="753"/>
        <source>%1 was deleted by %2</source>
        <translation>%1 已被 %2 删除</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="757"/>
        <source>%1 customers deleted under your work</source>
        <translation>%1 个客户在你有工作时被删除</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="761"/>
        <source>%1 — deleted by %2; %3 unsynced change(s) kept, not sent</source>
        <translation>%1 — 由 %2 删除；%3 项未同步的更改已保留，未发送</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="773"/>
        <source>● Local only</source>
        <translation>● 仅本地</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="777"/>
        <source>● Online</source>
        <translation>● 在线</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="779"/>
        <source>● Offline</source>
        <translation>● 离线</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="781"/>
        <source>● Sign-in needed</source>
        <translation>● 需要登录</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="783"/>
        <source>● Server problem</source>
        <translation>● 服务器问题</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="785"/>
        <source>● Connecting…</source>
        <translation>● 正在连接…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="791"/>
        <source>Last sync: %1</source>
        <translation>上次同步：%1</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="792"/>
        <source>Never synced</source>
        <translation>从未同步</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="798"/>
        <source>just now</source>
        <translation>刚刚</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/main_window.py" line="800"/>
        <source>%1 min ago</source>
        <translation>%1 分钟前</translation>
    </message>
</context>
<context>
    <name>OpportunityDialog</name>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="541"/>
        <source>New opportunity — %1</source>
        <translation>新建商机 — %1</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="543"/>
        <source>e.g. 2027 service contract</source>
        <translation>例如：2027 年服务合同</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="551"/>
        <source>Expected to close by</source>
        <translation>预计成交日期</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="572"/>
        <source>Type the amount as a number, e.g. 120000 or 99.50.</source>
        <translation>请输入数字金额，例如 120000 或 99.50。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="575"/>
        <source>The amount must be a number.</source>
        <translation>金额必须是数字。</translation>
    </message>
</context>
<context>
    <name>PipelineChart</name>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="55"/>
        <source>Count</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="56"/>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="60"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="72"/>
        <source>No opportunities</source>
        <translation>没有商机</translation>
    </message>
</context>
<context>
    <name>PipelineView</name>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="138"/>
        <source>Opportunity</source>
        <translation>商机</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="138"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="138"/>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="138"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="139"/>
        <source>Close</source>
        <translation>预计成交</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="145"/>
        <source>Move to stage</source>
        <translation>移到阶段</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="150"/>
        <source>Selected opportunity:</source>
        <translation>所选商机：</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="184"/>
        <source>Lead</source>
        <translation>线索</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="185"/>
        <source>Qualified</source>
        <translation>已确认</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="186"/>
        <source>Proposal</source>
        <translation>方案</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="187"/>
        <source>Negotiation</source>
        <translation>谈判</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="188"/>
        <source>Won</source>
        <translation>赢单</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="189"/>
        <source>Lost</source>
        <translation>丢单</translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="213"/>
        <source>%n opportunity(s) in other currencies are counted, but their amounts are not added up.</source>
        <translation>
            <numerusform>另有 %n 个其他币种的商机已计入数量，但金额未合计。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="262"/>
        <source>Pick an opportunity in the list first.</source>
        <translation>请先在列表中选择一个商机。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="268"/>
        <source>Moving…</source>
        <translation>正在移动…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="279"/>
        <source>Moved. It goes to the server with the next sync.</source>
        <translation>已移动，下次同步时发送到服务器。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="288"/>
        <source>Cannot move to “%1” yet: %2.</source>
        <translation>暂不能移到“%1”：请先%2。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="297"/>
        <source>log a call or meeting since the last stage change</source>
        <translation>在上次阶段变更后记录一次电话或会议</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/pipeline_view.py" line="299"/>
        <source>set an expected close date</source>
        <translation>设置预计成交日期</translation>
    </message>
</context>
<context>
    <name>ProfileController</name>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="454"/>
        <source>Work offline</source>
        <extracomment>The open offer to rebuild a damaged replica (non-modal), and the last rebuild&apos;s result.</extracomment>
        <translation>离线工作</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="520"/>
        <source>That passphrase does not open this replica.</source>
        <translation>该口令无法打开此本地副本。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="536"/>
        <source>%1

Rebuild it from the server? Your unsynced changes, conflicts and sync issues are exported to a file first, and the damaged file is kept beside it.</source>
        <translation>%1

要从服务器重建吗？尚未同步的修改、冲突和同步问题会先导出到一个文件，损坏的文件也会保留在旁边。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="543"/>
        <source>Rebuild from the server</source>
        <translation>从服务器重建</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="545"/>
        <source>Not now</source>
        <translation>暂不</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/app_controller.py" line="565"/>
        <source>Your unsynced work was exported to %1; the damaged file is kept in %2. Sign in to sync a fresh copy from the server.</source>
        <translation>尚未同步的工作已导出到 %1；损坏的文件保存在 %2。请登录以从服务器同步一份新的副本。</translation>
    </message>
</context>
<context>
    <name>RecordDialog</name>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="152"/>
        <source>Your role may not read this field; the server keeps it.</source>
        <extracomment>The values checked: the warning is shown once per set of values. The account id of a similar record the user chose to open instead of saving. The values whose similar records were last shown (Save again: save anyway).</extracomment>
        <translation>您的角色无权查看此字段；服务器保存着它的内容。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="154"/>
        <source>hidden for your role</source>
        <translation>因您的角色而隐藏</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="201"/>
        <source>Save anyway</source>
        <translation>仍然保存</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/dialogs.py" line="228"/>
        <source>Could not save: %s</source>
        <translation>无法保存：%s</translation>
    </message>
</context>
<context>
    <name>ReportsView</name>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="137"/>
        <source>Everyone</source>
        <translation>所有人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="139"/>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="146"/>
        <source>Period:</source>
        <translation>期间：</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="148"/>
        <source>Whose:</source>
        <translation>谁的：</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="159"/>
        <source>Last 30 days</source>
        <translation>最近 30 天</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="160"/>
        <source>Last 90 days</source>
        <translation>最近 90 天</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="161"/>
        <source>This quarter</source>
        <translation>本季度</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="162"/>
        <source>This year</source>
        <translation>今年</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="163"/>
        <source>Last 12 months</source>
        <translation>最近 12 个月</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="167"/>
        <source>Nothing in this period</source>
        <translation>此期间没有数据</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="169"/>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="169"/>
        <source>Reached</source>
        <translation>到达</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="169"/>
        <source>Conversion</source>
        <translation>转化率</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="172"/>
        <source>No open opportunities with a close date</source>
        <translation>没有带预计成交日期的进行中商机</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="175"/>
        <source>Month</source>
        <translation>月份</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="175"/>
        <source>Currency</source>
        <translation>币种</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="175"/>
        <source>Opportunities</source>
        <translation>商机</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="175"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="176"/>
        <source>Weighted</source>
        <translation>加权金额</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="181"/>
        <source>Person / week</source>
        <translation>人员 / 周</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="181"/>
        <source>Activities</source>
        <translation>活动</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="181"/>
        <source>Per week</source>
        <translation>每周</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="184"/>
        <source>No overdue follow-ups</source>
        <translation>没有逾期的跟进</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="185"/>
        <source>Person</source>
        <translation>人员</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="185"/>
        <source>Overdue follow-ups</source>
        <translation>逾期跟进</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="189"/>
        <source>Funnel and win rate</source>
        <translation>销售漏斗与赢单率</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="190"/>
        <source>Weighted forecast by month of expected close</source>
        <translation>按预计成交月份的加权预测</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="192"/>
        <source>Activities per person per week</source>
        <translation>每人每周的活动</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="194"/>
        <source>Overdue follow-ups per person</source>
        <translation>每人的逾期跟进</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="227"/>
        <source>Computing…</source>
        <translation>正在计算…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="239"/>
        <source>(nobody)</source>
        <translation>（无人）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="247"/>
        <source>Reports, %1 to %2</source>
        <translation>报表，%1 至 %2</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="268"/>
        <source>Win rate: %1 (%2 won, %3 lost in the period)</source>
        <translation>赢单率：%1（此期间赢单 %2 个，输单 %3 个）</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="289"/>
        <source>Weighted: amount × probability, per currency (never added across currencies). %1 open opportunity(s) have no expected close date.</source>
        <translation>加权金额：金额 × 概率，按币种分别计算（不同币种从不相加）。%1 个进行中的商机没有预计成交日期。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="318"/>
        <source>Export reports</source>
        <translation>导出报表</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="325"/>
        <source>The reports are still being computed.</source>
        <translation>报表仍在计算中。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/reports_view.py" line="341"/>
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
        <location filename="../../desktop_crm/ui/search_window.py" line="25"/>
        <source>Contact</source>
        <translation>联系人</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/search_window.py" line="25"/>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/search_window.py" line="25"/>
        <source>Match</source>
        <translation>匹配</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/search_window.py" line="28"/>
        <source>phone: exact</source>
        <translation>电话：完全匹配</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/search_window.py" line="29"/>
        <source>phone: same national number</source>
        <translation>电话：同一国内号码</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/search_window.py" line="30"/>
        <source>phone: last digits</source>
        <translation>电话：尾号</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/search_window.py" line="31"/>
        <source>contact name</source>
        <translation>联系人姓名</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/search_window.py" line="32"/>
        <source>customer name</source>
        <translation>客户名称</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="125"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="127"/>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="133"/>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="137"/>
        <source>Set by your IT department.</source>
        <translation>由贵公司 IT 部门设定。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="139"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="140"/>
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
        <location filename="../../desktop_crm/ui/first_run.py" line="81"/>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="39"/>
        <source>Your customers are copied to this computer, encrypted, so you can work offline. Sign in to download them.</source>
        <translation>您的客户数据会加密复制到这台电脑，以便离线工作。登录以下载。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="42"/>
        <source>Sign in to sync with the server.</source>
        <translation>登录以与服务器同步。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="49"/>
        <source>Set by your IT department.</source>
        <translation>由贵公司 IT 部门设定。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="61"/>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="62"/>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="63"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="67"/>
        <source>This computer has no keychain to keep the replica&apos;s key. Choose a passphrase; you will type it each time the app starts.</source>
        <translation>这台电脑没有可保存密钥的钥匙串。请设置一个口令，每次启动时输入。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="70"/>
        <source>Type the passphrase of this computer&apos;s encrypted replica.</source>
        <translation>请输入本机加密副本的口令。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="74"/>
        <source>Passphrase</source>
        <translation>口令</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="76"/>
        <source>Passphrase again</source>
        <translation>再次输入口令</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="97"/>
        <source>Enter the server&apos;s address, starting with https://</source>
        <translation>请输入服务器地址，以 https:// 开头</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="99"/>
        <source>Enter your user name.</source>
        <translation>请输入用户名。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="101"/>
        <source>Enter your password.</source>
        <translation>请输入密码。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="104"/>
        <source>The passphrase needs at least 8 characters.</source>
        <translation>口令至少需要 8 个字符。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/first_run.py" line="106"/>
        <source>The two passphrases differ.</source>
        <translation>两次输入的口令不一致。</translation>
    </message>
</context>
<context>
    <name>SyncIssuesDialog</name>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="319"/>
        <source>Sync issues</source>
        <translation>同步问题</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="326"/>
        <source>The refused change, as JSON: edit it, then retry.</source>
        <translation>被拒绝的更改（JSON）：修改后重试。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="327"/>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="328"/>
        <source>Discard</source>
        <translation>放弃</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="329"/>
        <source>Export all…</source>
        <translation>全部导出…</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="371"/>
        <source>No sync issues: the server took every change.</source>
        <translation>没有同步问题：服务器已接受所有更改。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="379"/>
        <source>The server refused this change: %1</source>
        <translation>服务器拒绝了此更改：%1</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="396"/>
        <source>Not valid JSON: %1</source>
        <translation>不是有效的 JSON：%1</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="420"/>
        <source>Export sync issues</source>
        <translation>导出同步问题</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/sync_views.py" line="432"/>
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
        <location filename="../../desktop_crm/ui/today_view.py" line="79"/>
        <source>Nothing due today. Well done.</source>
        <translation>今天没有到期事项，干得好。</translation>
    </message>
    <message>
        <location filename="../../desktop_crm/ui/today_view.py" line="97"/>
        <source>Overdue</source>
        <translation>已逾期</translation>
    </message>
</context>
</TS>
