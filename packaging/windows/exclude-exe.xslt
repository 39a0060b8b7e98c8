<?xml version="1.0" encoding="utf-8"?>
<!-- For WiX's heat: leave desktop-crm.exe out of BundleFiles (desktop-crm.wxs has its own
     component for it, the custom action's FileKey and the shortcut's target). -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:wix="http://schemas.microsoft.com/wix/2006/wi"
                xmlns="http://schemas.microsoft.com/wix/2006/wi"
                exclude-result-prefixes="wix">
  <xsl:output method="xml" indent="yes"/>
  <xsl:key name="exe" match="wix:Component[wix:File[substring(@Source, string-length(@Source) - 14) = 'desktop-crm.exe']]" use="@Id"/>
  <xsl:template match="@*|node()">
    <xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy>
  </xsl:template>
  <xsl:template match="wix:Component[key('exe', @Id)]"/>
  <xsl:template match="wix:ComponentRef[key('exe', @Id)]"/>
</xsl:stylesheet>
