<?xml version="1.0" encoding="UTF-8"?>
<!--
  syndicate: an RSS 2.0 or Atom 1.0 feed shown as a page, for browsers that still apply XSLT
  (`site.stylesheet: true`). Text only: every value is written with xsl:value-of (escaped),
  never as markup; links are the feed's own http(s) URLs. No script, no external asset.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="UTF-8" indent="yes" doctype-system="about:legacy-compat"/>

  <xsl:template match="/">
    <html>
      <head>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="(rss/channel/title | atom:feed/atom:title)[1]"/> (web feed)</title>
        <style>
          :root { color-scheme: light dark; }
          body { font: 1rem/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 44rem; padding: 1rem; }
          .note { border: 1px solid #8888; border-radius: .5rem; padding: .75rem 1rem; }
          .note input { width: 100%; font: inherit; margin-top: .25rem; }
          article { border-top: 1px solid #8884; padding: .5rem 0; }
          h2 { font-size: 1.15rem; margin: .5rem 0 .25rem; }
          .meta { opacity: .75; font-size: .9rem; margin: 0; }
          nav a { margin-right: 1rem; }
        </style>
      </head>
      <body>
        <xsl:apply-templates select="rss/channel | atom:feed"/>
      </body>
    </html>
  </xsl:template>

  <!-- RSS 2.0 -->
  <xsl:template match="channel">
    <header>
      <h1><xsl:value-of select="title"/></h1>
      <p><xsl:value-of select="description"/></p>
      <xsl:call-template name="subscribe">
        <xsl:with-param name="url" select="atom:link[@rel='self']/@href"/>
      </xsl:call-template>
      <p><a href="{link}">Visit the site</a></p>
    </header>
    <main>
      <xsl:apply-templates select="item"/>
    </main>
  </xsl:template>

  <xsl:template match="item">
    <article>
      <h2><a href="{link}"><xsl:value-of select="title"/></a></h2>
      <p class="meta">
        <xsl:value-of select="*[local-name()='creator']"/>
        <xsl:if test="*[local-name()='creator'] and pubDate"> · </xsl:if>
        <xsl:value-of select="pubDate"/>
      </p>
      <!-- An RSS description is HTML. With content:encoded beside it, ours is the excerpt as
           escaped text: unescape it to show it. Without, it is the rendered body, which
           only HTML could show: nothing is shown, as for an Atom entry without a summary. -->
      <xsl:if test="*[local-name()='encoded']">
        <p>
          <xsl:call-template name="unescape">
            <xsl:with-param name="text" select="description"/>
          </xsl:call-template>
        </p>
      </xsl:if>
    </article>
  </xsl:template>

  <!-- Atom 1.0, current feed and RFC 5005 archive pages -->
  <xsl:template match="atom:feed">
    <header>
      <h1><xsl:value-of select="atom:title"/></h1>
      <p><xsl:value-of select="atom:subtitle"/></p>
      <xsl:call-template name="subscribe">
        <xsl:with-param name="url">
          <xsl:choose>
            <xsl:when test="atom:link[@rel='current']">
              <xsl:value-of select="atom:link[@rel='current']/@href"/>
            </xsl:when>
            <xsl:otherwise><xsl:value-of select="atom:link[@rel='self']/@href"/></xsl:otherwise>
          </xsl:choose>
        </xsl:with-param>
      </xsl:call-template>
      <p><a href="{atom:link[@rel='alternate']/@href}">Visit the site</a></p>
    </header>
    <main>
      <xsl:apply-templates select="atom:entry"/>
    </main>
    <xsl:if test="atom:link[@rel='prev-archive' or @rel='next-archive' or @rel='current']">
      <nav>
        <xsl:for-each select="atom:link[@rel='next-archive']">
          <a href="{@href}">Newer items</a>
        </xsl:for-each>
        <xsl:for-each select="atom:link[@rel='prev-archive']">
          <a href="{@href}">Older items</a>
        </xsl:for-each>
        <xsl:for-each select="atom:link[@rel='current']">
          <a href="{@href}">Latest items</a>
        </xsl:for-each>
      </nav>
    </xsl:if>
  </xsl:template>

  <xsl:template match="atom:entry">
    <article>
      <h2><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h2>
      <p class="meta">
        <xsl:value-of select="atom:author/atom:name"/>
        <xsl:if test="atom:author/atom:name and atom:published"> · </xsl:if>
        <xsl:value-of select="translate(substring(atom:published, 1, 16), 'T', ' ')"/>
      </p>
      <xsl:if test="atom:summary">
        <p><xsl:value-of select="atom:summary"/></p>
      </xsl:if>
    </article>
  </xsl:template>

  <xsl:template name="subscribe">
    <xsl:param name="url"/>
    <div class="note">
      <p>This is a web feed. To subscribe, give its address to a feed reader:</p>
      <input type="text" readonly="readonly" value="{$url}" aria-label="Feed address"/>
    </div>
  </xsl:template>

  <!-- `&lt;` `&gt;` `&amp;` back to characters (the only ones our RSS escapes), as text. A
       long text is cut in halves first, never inside a reference (each `&` starts one, of at
       most 5 characters), so the templates nest about log2(length) deep, not once for each
       `&`: XSLT processors stop at a few thousand. -->
  <xsl:template name="unescape">
    <xsl:param name="text"/>
    <xsl:variable name="length" select="string-length($text)"/>
    <xsl:choose>
      <xsl:when test="$length &gt; 400">
        <xsl:variable name="half" select="floor($length div 2)"/>
        <xsl:variable name="tail" select="substring($text, $half - 3, 4)"/>
        <xsl:variable name="cut"
            select="$half - (string-length(substring-after($tail, '&amp;')) + 1)
                    * number(contains($tail, '&amp;'))"/>
        <xsl:call-template name="unescape">
          <xsl:with-param name="text" select="substring($text, 1, $cut)"/>
        </xsl:call-template>
        <xsl:call-template name="unescape">
          <xsl:with-param name="text" select="substring($text, $cut + 1)"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:when test="contains($text, '&amp;')">
        <xsl:value-of select="substring-before($text, '&amp;')"/>
        <xsl:variable name="rest" select="substring-after($text, '&amp;')"/>
        <xsl:choose>
          <xsl:when test="starts-with($rest, 'lt;')">&lt;<xsl:call-template name="unescape">
              <xsl:with-param name="text" select="substring($rest, 4)"/>
            </xsl:call-template></xsl:when>
          <xsl:when test="starts-with($rest, 'gt;')">&gt;<xsl:call-template name="unescape">
              <xsl:with-param name="text" select="substring($rest, 4)"/>
            </xsl:call-template></xsl:when>
          <xsl:when test="starts-with($rest, 'amp;')">&amp;<xsl:call-template name="unescape">
              <xsl:with-param name="text" select="substring($rest, 5)"/>
            </xsl:call-template></xsl:when>
          <xsl:otherwise>&amp;<xsl:call-template name="unescape">
              <xsl:with-param name="text" select="$rest"/>
            </xsl:call-template></xsl:otherwise>
        </xsl:choose>
      </xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="$text"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
