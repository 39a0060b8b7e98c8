<?xml version="1.0" encoding="utf-8"?>
<!-- For WiX's heat: leave desktop-crm.exe and "Desktop CRM.exe" out of BundleFiles
     (desktop-crm.wxs has a component for each: the custom action's FileKey, and the windowed
     one the shortcut and tel:/callto: start). -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:wix="http://schemas.microsoft.com/wix/2006/wi"
                xmlns="http://schemas.microsoft.com/wix/2006/wi"
                exclude-result-prefixes="wix">
  <xsl:output method="xml" indent="yes"/>
  <xsl:key name="exe" match="wix:Component[wix:File[substring(@Source, string-length(@Source) - 14) = 'desktop-crm.exe' or substring(@Source, string-length(@Source) - 14) = 'Desktop CRM.exe']]" use="@Id"/>
  <xsl:template match="@*|node()">
    <xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy>
  </xsl:template>
  <xsl:template match="wix:Component[key('exe', @Id)]"/>
  <xsl:template match="wix:ComponentRef[key('exe', @Id)]"/>
</xsl:stylesheet>
