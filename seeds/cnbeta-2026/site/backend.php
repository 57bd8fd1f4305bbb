<?xml version="1.0" encoding="utf-8" ?>
<rss version="2.0" >
<channel>
<title>cnBeta.COM.TW RSS订阅</title>
<link>https://www.cnbeta.com.tw</link>
<description>cnBeta.COM.TW - 简明IT新闻,网友媒体与言论平台</description>
<generator>www.cnbeta.com.tw</generator>
<language>zh-cn</language>
<copyright>@cnbeta.com.tw</copyright>
<image>
	<url>https://static.cnbetacdn.com/logo.png</url>
	<title>cnBeta.COM.TW</title>
	<link>https://www.cnbeta.com.tw</link>
</image>
<pubDate>Fri, 18 Sep 2026 14:49:40 GMT</pubDate>
<item>
	<title>华为发布鸿蒙PC新机型 首批搭载自研散热架构</title>
	<link>https://www.cnbeta.com.tw/articles/tech/1578712.htm</link>
	<description><![CDATA[ <p><strong>华为今日在秋季新品发布会上推出两款运行鸿蒙系统的笔记本电脑，首批机型采用自研的均热板散热架构。</strong>新机最高配备 32GB 内存，起售价 6999 元。</p> <a href="https://www.cnbeta.com.tw/articles/tech/1578712.htm" target="_blank"><strong>阅读全文</strong></a> ]]></description>
	<author>ugmbbc</author>
	<source>cnBeta.COM</source>
	<pubDate>Fri, 18 Sep 2026 14:17:41 GMT</pubDate>
	<guid>https://www.cnbeta.com.tw/articles/tech/1578712.htm</guid>
</item>
<item>
	<title>研究人员用深海微生物酶分解聚酯塑料 速度提高十倍</title>
	<link>https://www.cnbeta.com.tw/articles/science/1578706.htm</link>
	<description><![CDATA[ <p><img src="https://static.cnbetacdn.com/article/2026/0918/a2f90c4e7b15d63.webp" referrerpolicy="no-referrer"></p> <p>一个国际研究团队从深海热泉附近的微生物中找到一种新的水解酶，<strong>在 60 摄氏度下分解聚酯塑料的速度约为已知同类酶的十倍。</strong></p> <a href="https://www.cnbeta.com.tw/articles/science/1578706.htm" target="_blank"><strong>阅读全文</strong></a> ]]></description>
	<author>ugmbbc</author>
	<source>cnBeta.COM</source>
	<pubDate>Fri, 18 Sep 2026 13:38:26 GMT</pubDate>
	<guid>https://www.cnbeta.com.tw/articles/science/1578706.htm</guid>
</item>
<item>
	<title>Firefox 145发布：标签页分组支持跨设备同步</title>
	<link>https://www.cnbeta.com.tw/articles/soft/1578698.htm</link>
	<description><![CDATA[ <p><strong>Mozilla 今天发布 Firefox 145 稳定版，</strong>标签页分组可以通过 Firefox 账户在桌面和移动设备之间同步。</p> <a href="https://www.cnbeta.com.tw/articles/soft/1578698.htm" target="_blank"><strong>阅读全文</strong></a> ]]></description>
	<author>ugmbbc</author>
	<source>cnBeta.COM</source>
	<pubDate>Fri, 18 Sep 2026 12:06:20 GMT</pubDate>
	<guid>https://www.cnbeta.com.tw/articles/soft/1578698.htm</guid>
</item>
<item>
	<title>AT&amp;T与流媒体平台续约 体育直播套餐下月涨价</title>
	<link>https://www.cnbeta.com.tw/articles/movie/1578688.htm</link>
	<description><![CDATA[ <p>美国运营商 AT&amp;T 与一家流媒体平台续签了为期五年的分销协议，<strong>其体育直播套餐将从下月起每月上调 5 美元。</strong></p> <a href="https://www.cnbeta.com.tw/articles/movie/1578688.htm" target="_blank"><strong>阅读全文</strong></a> ]]></description>
	<author>ugmbbc</author>
	<source>cnBeta.COM</source>
	<pubDate>Thu, 17 Sep 2026 16:05:12 GMT</pubDate>
	<guid>https://www.cnbeta.com.tw/articles/movie/1578688.htm</guid>
</item>
</channel></rss>