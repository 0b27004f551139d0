"""Generic boilerplate line rules applied to every page, after paragraphs are extracted and normalised.

Patterns are data: each is a named constant. DROP patterns remove one paragraph; CUTOFF patterns
mark where the article has ended (a snapshot disclaimer, a comment form, a related-articles list)
and remove that paragraph and everything after it. Site profiles add their own on top.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from crawler.extract.consensus import SENTENCE_RE
from crawler.text.language import script_counts

# Lines longer than this are prose, never a boilerplate line (protects article text from the rules).
MAX_BOILERPLATE_LINE = 160

EDITOR_LINE = (
    # in Simplified or Traditional characters: 责任编辑 / 責任編輯
    r"^(?:[(（\[【]|-{1,2})?\s*(?:[责責]任[编編][辑輯]|[责責][编編]|[编編][辑輯]|校[对對]|[审審]核|[审審]校|[监監][制製]|"
    r"值班[编編][辑輯]|[实實][习習][编編][辑輯]|[编編][审審]|[终終][审審]|初[审審]|"
    r"Web editor|Editors?|Edited by|Redaktion|Redakteur(?:in)?)\s*[:：]\s*\S.{0,60}$|"
    # a wire's credits in brackets: "(Reporting by Adam Marcus; Editing by Cynthia Osterman)"
    r"^[(（]\s*(?:(?:Additional )?[Rr]eporting|Writing|Editing) by\b[^()（）]{1,150}[)）]$|"
    # the editor in brackets without a colon: "（責任編輯 余淩雲）"
    r"^[(（\[【]\s*[责責]任[编編][辑輯]\s+[^\s)）\]】]{1,20}\s*[)）\]】]$|"
    # an editor's or agency's initials alone at the end of a German report: "(dmk)", "(dpa/afp)"
    r"^[(（][a-z]{2,4}(?:/[a-z]{2,4})*[)）]$|"
    # a wire's note on a story's new version: "(Updates with comments from Gates in second, last paragraphs.)"
    r"^[(（]\s*(?:Updates|Adds|Recasts|Corrects|Changes|Rewrites|Refiles|Fixes)(?: with\b|,|\s(?:details|comments?|"
    r"quotes?|background|analysts?|byline|headline|graphic|photos?|links?|paragraphs?|para|grafs?|prices?|"
    r"closing|throughout)\b)[^()（）]{0,150}[)）]$"
)
SNAPSHOT_DISCLAIMER = (
    r"以上内容为资讯信息快照|快照生成时间|信息快照查询|本站未对信息做任何修改|"
    r"不代表本站(?:观点|立场)|如有侵权请联系"
)
COMMENT_FORM = (
    r"^(?:发表回复|发表评论|发表你的评论|您的邮箱地址不会被公开|你的电子邮件地址不会被公开|必填项已用\s*\*\s*标注|"
    r"Leave a Reply|Leave a Comment|Leave a comment|Post Comment|Cancel reply|Submit Comment|"
    r"Your email address will not be published|Required fields are marked|"
    r"Schreibe einen Kommentar|Hinterlasse einen Kommentar|Deine E-Mail-Adresse wird nicht veröffentlicht|"
    r"Kommentar verfassen|Kommentar abschicken|If you are commenting using|Do not post:|Comments are moderated|"
    r"Please read our (?:comment|community) (?:policy|guidelines|rules)|Kommentare werden moderiert|"
    r"By adding a comment|Reader'?s comments?\b|(?i:\[?Add (?:a |your )?comment\]?)$|"
    r"Comments are (?:now )?closed|Comments (?:for|on) this (?:story|article|post|thread) are (?:now )?closed|"
    r"Commenting (?:is|has been) (?:closed|disabled)|Kommentare sind geschlossen|"
    r"Die Kommentarfunktion (?:ist|wurde) (?:geschlossen|deaktiviert)|评论已关闭|評論已關閉|"
    r"Os comentários (?:estão|foram) (?:encerrados|fechados)|Los comentarios están cerrados|Comentarios cerrados|"
    r"Les commentaires sont fermés|Комментарии закрыты|コメントは受け付けていません|"
    r"(?i:post a comment|view (?:all )?comments|show (?:all )?comments|to join the discussion)\b|"
    # WordPress's comment form in the other languages the crawl meets (pt, es, fr, it, ru, ja)
    r"Deixe (?:um comentário|uma resposta)|Deja (?:un comentario|una respuesta)|Laisser un commentaire|"
    r"Laisser une réponse|Lascia un commento|Lascia una risposta|Добавить комментарий|Оставить комментарий|"
    r"Оставьте комментарий|コメントを残す|コメントを書く|O seu endereço de e-mail não será publicado|"
    r"Tu dirección de correo electrónico no será publicada|Votre adresse (?:e-mail|de messagerie) ne sera pas publiée|"
    r"Il tuo indirizzo email non sarà pubblicato|Ваш адрес email не будет опубликован|"
    r"メールアドレスが公開されることはありません)"
)
_PICTURE_AGENCY = (
    r"(?:Getty [Ii]mages|AFP|Reuters|AP|dpa|picture[ -]alliance|imago(?: images)?|Shutterstock|iStock(?:photo)?|EPA|"
    r"Keystone|Xinhua)"
)
IMAGE_CREDIT = (
    r"^(?:Beitragsbild|Titelbild|Featured image)\s*[:：]?$|^(?:Image copyright|Image caption|Media caption)\b|"
    r"^(?:(?:文|图|圖)[/／](?:图|圖|文)\s*[/／：:]?|(?:文|图|圖)\s*[/／](?![图圖文]))\s*[^，。！？；,.!?;]{1,30}$|"
    r"^[(（]?(?:Bildquelle|Bildnachweis|Bildrechte|Quelle Bild|Foto|Fotos|Image credit|Image source|Photo credit|"
    r"Credit|Photo source|Picture credit|Beitragsbild|Titelbild|Photograph|Illustration|Bild|"
    r"Crédito|Créditos|Imagem|Imagen|Фото|写真|画像|"
    r"图片来源|图源|图片由[^。]{1,20}提供|摄影|配图来源)\s*[:：]|"
    # a picture agency's credit alone: "STR/AFP via Getty Images", "Andrea Verdelli/Getty Images", "dpa/picture
    # alliance"
    rf"^[^.!?:]{{0,60}}(?:/|\bvia\s)\s*{_PICTURE_AGENCY}(?:\s*/\s*[^.!?]{{0,40}})?$|"
    rf"^(?:©\s*{_PICTURE_AGENCY}(?:\s*/\s*[^.!?]{{0,40}})?|{_PICTURE_AGENCY}\s*/\s*[^.!?]{{1,40}})$"
)
VIEW_COUNTER = (
    r"^(?:Views|Aufrufe|Hits|Reads|阅读|浏览|阅读量|浏览量|阅读数|点击|点击量|人气)\s*[:：]?\s*\d[\d,.\s]*(?:次|views)?$"
)
# Comment counters and rating widgets: "Keine Kommentare", "12 comments", "Bewerten:".
COMMENT_COUNTER = (
    r"^(?:Keine Kommentare|No comments(?: yet)?|\d{1,6} (?:Kommentare?|comments?|Antworten|responses?)|"
    r"Bewerten|Rate this(?: article| post)?|Bewertung|评论\s*\(?\d{0,6}\)?|\d{1,6}\s*条评论)\s*[:：.]?"
    r"(?:\s*[(（][^()（）]{1,80}[)）])?$"
)
# A paywall's notice in place of the rest of the article.
PAYWALL_LINE = (
    r"^To (?:view|read|continue reading) (?:the|this) full (?:story|article)|already a subscriber|"
    r"^Subscribe to (?:continue|keep) reading|Weiterlesen mit \S+|Jetzt weiterlesen"
)
# An advertisement's label, or the note that the article goes on after it, alone on its line.
AD_LABEL = (
    r"^(?i:Advertisement|Advertising|Sponsored(?: content)?|Anzeige|Anzeigen|Werbung|Ad|Skip advertisement|"
    r"Continue reading (?:the main story|below)|"
    r"(?:Story|Article) continues (?:below|after)(?: (?:the |this )?(?:advertisement|ad))?|"
    r"Scroll to continue(?: with content)?|广告|"
    # the same label in other languages the crawl meets (pt, es, fr, it, ru, ja, ko, pl, tr, ar)
    r"Publicidade|Publicidad|Publicité|Pubblicità|Реклама|広告|광고|Reklama|Reklam|إعلان|Anuncio|Annonce|"
    r"スポンサーリンク|اشتہار|विज्ञापन)$"
)
# What a social-media embed shows in place of the post: "View this post on Instagram", "A post shared by ...".
EMBED_PLACEHOLDER = (
    r"^(?:Sieh dir diesen Beitrag auf Instagram an|View this post on Instagram|"
    r"(?:Ein Beitrag geteilt von|A post shared by) .{1,80}|"
    r"(?:Empfohlener )?[Ee]xterner Inhalt(?: nicht verfügbar)?|(?:External|Embedded) content(?: is)? not available)$|"
    # a widget's placeholder while its script runs: "Loading weather data ...", "Wird geladen …". Not the Chinese
    # 正在加载: on portal pages it sits among the link lines whose doubt asks readability, and without it the links
    # stayed (dev pages: -0.23 on one page for +0.00 elsewhere).
    r"^(?:Loading|Lädt|Wird geladen)\b[^.!?]{0,40}(?:\.{2,3}|…)$"
)
# The notice in place of an embed (a video, a post, a chart) that the reader's privacy settings keep from loading,
# however long: "Deine Privatsphäre-Einstellungen verhindern das Laden und Anzeigen aller externen Inhalte ...".
CONSENT_NOTICE = (
    r"^(?:Deine|Ihre) (?:Privatsphäre|Datenschutz|Cookie)-?[Ee]instellungen verhindern\b|"
    r"^Ich bin damit einverstanden, dass mir externe Inhalte angezeigt werden|"
    r"^(?:Your|Due to your) (?:privacy|cookie|consent) (?:settings|preferences|choices)\b.{0,80}"
    r"\b(?:prevents?|blocks?|not (?:be )?(?:shown|displayed|loaded|available))\b|"
    r"^This content is (?:not available|blocked) due to your (?:privacy|cookie|consent)\b|"
    r"^We need your consent to (?:load|display|show)\b"
)
# A site's note that the views in its articles are not its own, wherever it stands.
VIEWS_DISCLAIMER = (
    r"^(?:The )?(?:views|opinions) expressed\b.{0,160}?(?:not necessarily|\(necessarily\)|personal views|own views|"
    r"are (?:solely )?(?:those of|the author)|(?:my|our|their|his|her) employer)|"
    r"\breflects? the (?:views|opinions?) of (?:the|their|its) authors?\b.{0,20}"
    r"\bnot (?:necessarily )?(?:those|the views) of\b|"
    # a note that the site does not answer for the pages it links to
    r"(?i:\b(?:is|are) not responsible for the content of (?:external|third[- ]party)\b)|"
    r"Für den Inhalt (?:externer|verlinkter) (?:Seiten|Links|Internetseiten) (?:ist|sind)\b"
)
# Who to write to about the story, the wire's closing credits: "To contact the editor responsible for this story:
# …", "With files from The Canadian Press".
STORY_CONTACT = (
    r"^To contact the (?:reporters?|editors?|writers?)(?: responsible for| on| of| for) this (?:story|article)\b|"
    # "With files from The Canadian Press", also behind the outlet's name: "National Post, with files from Postmedia"
    r"^(?:[A-Z][^,.;:]{1,60}[,;] )?[Ww]ith files from [^,.;:]{1,80}(?:,? (?:and|&) [^,.;:]{1,60})?\.?$"
)
# A call to follow the site or the author on a social network: "Follow us on Twitter for the latest updates", "Folgen
# Sie uns auf …", and alone on its line "Follow World News on NBCNews.com on Twitter and Facebook", "Follow John
# Reynolds on Twitter @johnreynolds10", "Twitter: @janethejourno".
_SOCIAL_NETWORK = r"(?:Twitter|X|Facebook|Instagram|LinkedIn|Threads|Mastodon|Bluesky|TikTok|YouTube)"
SOCIAL_FOLLOW = (
    r"^(?:Follow|Like) us on (?:Twitter|Facebook|Instagram|LinkedIn)|Folgen Sie uns auf|"
    r"^Follow [^,;:!?\"“”]{1,60} on (?:Twitter|Facebook|Instagram|LinkedIn)"
    r"(?: and (?:Twitter|Facebook|Instagram))?\.?$|"
    rf"^(?:Follow|Folgen Sie|Folge)\s(?:us|me|him|her|them|uns|mir|[A-Z][\w.'’ -]{{1,40}}?)\s(?:on|auf)\s"
    rf"{_SOCIAL_NETWORK}(?:\s?(?:at|:)?\s?@[\w.]+)?[.!]?$|"
    rf"^{_SOCIAL_NETWORK}\s?:\s?@[\w.]+$"
)
# An embedded post's signature line, in every language the network serves: Twitter's "— Meike Neitz
# (@meikyworldwide) 19. November 2018" under the quoted tweet, the date last. The tweet is the article's
# quotation; its signature is the embed's chrome.
EMBED_SIGNATURE = r"^[—–]\s?[^()]{1,60}\(@\w{1,15}\)\s?[^()]{0,30}(?:19|20)\d{2}[^()]{0,8}$"
SYNDICATION_FOOTER = r"^This is a syndicated post\b|\bRead the original (?:post|article|story) at\b"
SHARE_BAR = (
    r"^(?:分享到\s*[:：]?.{0,30}|分享让更多人看到|一键分享|打印本页|打印本頁|关闭窗口|關閉窗口|收藏本文|"
    r"Share(?: this)?(?: article| story)?\s*:?|Share on \w+|Tweet(?: this)?|(?:Digg|Like|Pin|Flip) this|"
    r"Teilen\s*:?|Artikel teilen|Drucken|"
    r"微信|微博|QQ空间|朋友圈|Facebook|Twitter|LinkedIn|WhatsApp|E-Mail|Email|Print|"
    r"Compartilhe|Compartilhar|Compartir|Partager|Condividi|Поделиться|シェア|シェアする|공유하기|مشاركة|"
    r"ツイート|この記事をシェア(?:する)?|印刷(?:する)?|شیئر کریں|शेयर करें|"
    # an article's tools: "Print article", "Printer-friendly version", "E-mail this page", "Refer to a friend"
    r"(?i:Print(?: this)?(?: article| story| page| version)?|Printer[- ]friendly(?: version| format| page)?|"
    r"E-?mail (?:this(?: article| story| page)?|to a friend)|(?:Send|Refer|Forward|Recommend)(?: this)?"
    r"(?: article| story| page)? to (?:a )?friend|Save (?:this )?(?:article|story)|Share this (?:article|story|page)|"
    r"Artikel (?:drucken|versenden|verschicken|merken|empfehlen)|Druckversion|Seite drucken|"
    r"Per E-?Mail (?:versenden|verschicken|empfehlen|teilen)))$"
)
# Tools as a row of bracketed links on Chinese pages ("【字体：大 中 小】【打印】【关闭】", "[上一篇] [下一篇]",
# "【我要纠错】"): every bracket holds a tool, so a bracketed column name ("【新春走基层】") stays.
_CJK_TOOL = (
    r"(?:字[体體号號型]\s*[:：]?\s*)?大\s*中\s*小|打印(?:本[页頁稿文])?|[关關]闭(?:窗口)?|收藏(?:本[页頁文])?|"
    r"(?:我要)?[纠糾][错錯]|分享|返回(?:[顶頂]部|首[页頁])?|上一[篇页頁条條]|下一[篇页頁条條]|[复複]制[链鏈]接|"
    r"(?:我要)?[评評]论|推[荐薦]"
)
_CJK_TOOL_ROW = rf"^(?:[【\[［]\s*(?:{_CJK_TOOL})\s*[】\]］]\s*)+$"
# Page tools around an article: back-to-top links, font-size switches, a pull quote's markers, keyword and tag lines,
# rows of bracketed tools.
PAGE_TOOL = (
    r"^(?i:(?:Back|Up|Return|Go) to (?:the )?top|Nach oben|Zum Seitenanfang|Voltar ao topo|Volver arriba|"
    r"Ir arriba|Retour en haut(?: de (?:la )?page)?|Haut de page|Torna su|Torna all'inizio|Наверх|"
    r"ページ(?:の)?(?:トップ|先頭)へ(?:戻る)?)\W{0,3}$|"
    r"^\W{0,2}(?:返回顶部|回到顶部|返回页首|返回首页|返回)\W{0,2}$|^(?:\[(?:reply|top)\]\s*)+$|"
    r"^\[?打印\]?$|^字[型体號号]\s*[:：]|^(?:调整|調整)?字[型体體號号](?:大小)?\s*[:：︰]?$|^(?i:Fonts? size)$|"
    r"^(?i:(?:Story|Article|Page) tools)$|^Reprints$|"
    r"^(?:我要评论|我要評論|我来说两句|我來說兩句)$|^[“\"]?(?:Start|End) Quote[”\"]?$|"
    r"^(?:本篇新闻)?(?:热门)?关键[词字]\s*[:：].{0,60}$|"
    r"^(?:Tags|Keywords|Schlagwörter|Schlagworte|Filed [Uu]nder|FILED UNDER|Categories|Kategorien)\s*:.{0,100}$|"
    rf"{_CJK_TOOL_ROW}"
)
# A Chinese site's footer: its ICP licence and public-security filing numbers, its government-site code, its
# sponsor ("京ICP备05070218号", "京公网安备11010202000001号", "网站标识码bm01000001", "主办单位：国务院办公厅"); and the
# links to the previous and next article ("上一篇：关于……的通知").
CJK_SITE_FOOTER = (
    r"ICP[备備證证]\s*[:：]?\s*[\w-]{0,4}\d|公[网網]安[备備]\s*\d|[网網]站[标標][识識][码碼]|^主[办辦][单單]位\s*[:：]|"
    r"^(?:上一|下一)(?:篇|条|條)(?:文章)?\s*[:：]"
)
QR_WIDGET = (
    r"^(?:.{0,30}扫.{0,4}二维码.{0,40}|扫一扫.{0,40}|长按识别.{0,40}|"
    r".{0,20}下载.{0,12}(?:APP|App|客户端).{0,20})$"
)
APP_PROMO = r"^(?:关注|扫码关注|欢迎关注|点击关注).{0,10}(?:公众号|微信|微博|客户端)"
# Subscription promotions, calls for submissions and error-report widgets (follow-us calls: SOCIAL_FOLLOW).
PROMO_LINE = (
    r"订阅.{0,12}手机报|手机读报|訂閱.{0,12}手機報|^(?:订购|訂購|订阅|訂閱)本[报報].{0,12}[:：]|"
    r"現已開設.{0,16}(?:Facebook|專頁|微博)|已开设.{0,16}(?:Facebook|专页|微博)|"
    r"欢迎.{0,6}(?:来稿|投稿)|歡迎.{0,6}(?:來稿|投稿)|按下?.{0,6}CTRL.{0,6}ENTER|Ctrl\s*\+\s*Enter|"
    r"^(?:Sign up|Subscribe)(?: now| today)? (?:for|to) (?:our|the|a)\b.{0,40}newsletter|"
    r"unsubscribe at any ?time|"
    r"Newsletter abonnieren|^Jetzt\b.{0,30}Newsletter|We want to hear what you think|"
    # membership and support calls, click-here calls
    r"^Werden Sie (?:jetzt )?Mitglied\b|^Jetzt Mitglied werden|^Unterstütze(?:n Sie)? \S.{0,40} (?:mit|ab) \d|"
    r"^(?:Become a (?:member|supporter|subscriber)|Support (?:our|independent) journalism)\b|"
    r"\b(?:Einfach )?hier klicken\b|^Click here (?:to|for)\b|^If you would like to (?:contribute|write for us)\b|"
    # a broadcaster's availability label under a video or audio: "Video verfügbar bis 28.02.2021"
    r"^(?:Video|Audio|Sendung) verfügbar bis\b"
)
PAGINATION = (
    r"^(?:【\d{1,3}】\s*){2,}$|"
    r"^(?:上一页|下一页|首页|尾页|\d{1,3})(?:\s+(?:上一页|下一页|首页|尾页|\d{1,3}))+$"
)
# A separator drawn with characters: "------", "———", "＊＊＊＊", "* * *".
SEPARATOR_LINE = r"^([-—–_=*＊~.﹏…])\1{2,}$|^(?:\* ){2,}\*$"
# A blog's links to the posts before and after this one: "« Older post title | Main | Newer post title »".
BLOG_POST_NAV = r"^«\s?[^«»|]{1,100}\s?\|\s?Main\b(?:\s?\|\s?[^«»|]{1,100}»)?$|^Main\s?\|\s?[^«»|]{1,100}»$"
TEASER_DATE = r"^(?:\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?)(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?$"
# A date (and time) alone on its line: "18 January 2012 - 1:56 am NZ time", "Tuesday, January 17, 2012 1:19 PM",
# "1/10/2008, 6:07 a.m. EST", "Donnerstag, 03. Februar 2022"; in the other languages the crawl meets written the same
# way ("1 de dezembro de 2020 às 10h30", "1er décembre 2020", "1 декабря 2020 года", "2020年12月1日(火) 10:30"). It is
# the page's date stamp, kept as the article's date, not its text. A line with a label ("Posted on ...") is left
# alone: some gold texts keep those.
_MONTH = (
    r"(?:Jan(?:uary|uar)?|Feb(?:ruary|ruar)?|Mar(?:ch)?|März|Apr(?:il)?|May|Mai|June?|Juni|July?|Juli|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Okt(?:ober)?|Nov(?:ember)?|Dec(?:ember)?|Dez(?:ember)?|"
    # Portuguese, Spanish, French, Italian, and Russian in the genitive ("1 декабря")
    r"(?i:janeiro|fevereiro|março|abril|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro|enero|febrero|"
    r"marzo|mayo|junio|julio|septiembre|setiembre|octubre|noviembre|diciembre|janvier|février|mars|avril|juin|"
    r"juillet|août|septembre|octobre|novembre|décembre|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|"
    r"ottobre|dicembre|января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря))\.?"
)
_WEEKDAY = (
    r"(?:(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?|"
    r"Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonnabend|Sonntag|"
    r"(?i:(?:segunda|terça|quarta|quinta|sexta)(?:-feira)?|sábado|domingo|lunes|martes|miércoles|jueves|viernes|"
    r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunedì|martedì|mercoledì|giovedì|venerdì|sabato|"
    r"понедельник|вторник|среда|четверг|пятница|суббота|воскресенье))"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th|er|º|°|\.)?"
# A CJK date, with the weekday in brackets or after it: "2020年12月1日(火)", "2012年1月17日 星期二".
_CJK_DATE = (
    r"\d{4}\s?年\s?\d{1,2}\s?月\s?\d{1,2}\s?日"
    r"(?:\s?[(（](?:[月火水木金土日]|星期[一二三四五六日天]|周[一二三四五六日])[)）]|\s?星期[一二三四五六日天])?"
)
_DATE = (
    rf"(?:(?:{_WEEKDAY}\s?,?\s)?(?:{_DAY}\s{_MONTH},?\s\d{{4}}|{_MONTH}\s{_DAY},?\s\d{{4}}|"
    rf"{_DAY}\sde\s{_MONTH}\sde\s\d{{4}}|"
    r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{2,4})(?:\s(?:года|г\.))?|"
    rf"{_CJK_DATE})"
)
_TIME = (
    r"(?:\d{1,2}[:.]\d{2}(?::\d{2})?|\d{1,2}h\d{2}|\d{1,2}時\d{1,2}分)(?:\s?[AaPp]\.?[Mm]\.?)?(?:\s?Uhr)?"
    r"(?:\s?(?:[A-Z]{2,4}|[A-Z]{2} time))?"
)
_STAMP_SEPARATOR = r"\s*(?:[-–—|,/·•]|\b(?:at|on|am|um|às|a las|à|alle|ore|в)\b)?\s*"
_STAMP_PART = rf"{_STAMP_SEPARATOR}(?:{_DATE}|{_TIME})"
# The line starts with a date, or with a time and then a date: a time alone ("10:30") may be a score or a schedule.
_STAMP_START = rf"(?={_STAMP_SEPARATOR}(?:{_TIME}{_STAMP_SEPARATOR})?{_DATE})"
_STAMP = rf"{_STAMP_START}(?:{_STAMP_PART}){{1,3}}{_STAMP_SEPARATOR}$"
TIMESTAMP_LINE = rf"^{_STAMP}"
# The same stamp behind an English label of publication or update: "Last updated at 3:21 PM on 15th December 2011",
# "Published: 10 January 2008", "Updated at 7:07 pm on 16 January 2012". Not "Posted on …": a blog's post header,
# which gold texts keep; and not a stamp with a name after it ("… by: pahosa", "… CTVNews.ca Staff").
LABELLED_STAMP = (
    rf"^(?:(?i:last|page last)\s)?(?:[Uu]pdated|UPDATED|Published|PUBLISHED)(?:\s(?:on|at))?\s?:?\s?{_STAMP}"
)
# A page's update stamp alone on its line: "Page last updated at 13:05 GMT, Thursday, 12 January 2012",
# "5 April 2013 Last updated at 08:43 GMT".
UPDATE_STAMP = (
    r"^(?:\d{1,2} \w{3,9} \d{4} )?(?:Page )?[Ll]ast updated at \d{1,2}:\d{2}(?: ?[AaPp][Mm])?(?: [A-Z]{2,4})?"
    r"(?:, \w{3,9},? \d{1,2} \w{3,9},? \d{4})?$"
)
# HTML comments alone on a line: markup of a broken page that reached the text ("<!-- OAS_AD('SkyScraper2'); //-->").
HTML_COMMENT_LINE = r"^(?:\s*<!--.*?-->)+\s*$"
# A Chinese article's header line: its date and its source, with whatever the site puts beside them, and no
# sentence ending in it ("2012年01月17日 20:39 来源：中国新闻网 参与互动(0)",
# "http://www.sznews.com 2012-01-17 21:11 来源： 深圳新闻网 【字号：大 中 小】",
# "鉅亨網新聞中心 (來源：財匯資訊，摘自：中國經濟網) 2012-01-17 15:08:02").
SOURCE_STAMP_LINE = rf"^(?=[^。！？]{{0,150}}$)(?=.*(?:来源|來源|稿源|出处|出處)\s*[:：])(?=.*(?:{_DATE}))"
SOURCE_ONLY_LINE = (
    r"^(?:据|據)《[^》]{1,16}》(?:报道|報道)?$|"
    r"^(?:【来源】|\[来源\]|来源\s*[:：]|本文转自\s*[:：]?|转载自\s*[:：]?|信息原文地址\s*[:：]?|原文链接\s*[:：]?|"
    r"原文地址\s*[:：]?|Source\s*:|Quelle\s*:)\s*.{0,150}$"
)
# Where the article ran in print: "《 人民日报 》（ 2024年05月10日 04 版）"; in English a note at the article's end, as
# long as a headline ("A version of this article appears in print on …, Section A, Page 1 of the New York edition
# with the headline: …"), which ends the text late however long it is.
PRINT_EDITION_NOTE = (
    r"^(?:A version of this (?:article|story|review|column|editorial|essay) appears? in print\b|"
    r"Republished from the .{1,60} print edition\b|"
    r"This (?:article|story) (?:appeared|was published|first appeared) in (?:the )?print edition\b)"
)
PRINT_EDITION_LINE = (
    r"^《\s*[^》]{2,16}\s*》\s*[（(]\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
    rf"\s*\d{{0,3}}\s*版\s*[）)]$|{PRINT_EDITION_NOTE}"
)
# The copyright sign beside a year ("Deutschlandradio © 2009-2020", "XenForo® © 2010-2019 XenForo Ltd.", "(c) 2012
# The Curious Brain"): a rights notice in any language, wherever the sign stands in the line.
COPYRIGHT_YEAR = r"(?:©|\([cC]\))\s*(?:(?:19|20)\d{2}\s*[-–]\s*)?(?:19|20)\d{2}\b|\b(?:19|20)\d{2}\s*©"
COPYRIGHT_LINE = (
    rf"^(?:Copyright|©|\([cC]\))\s*\S.{{0,120}}$|{COPYRIGHT_YEAR}|版权所有|未经.{{0,10}}授权.{{0,6}}(?:禁止|不得)|"
    r"^[(（]?(?:Alle )?Angaben ohne Gewähr[.!]?[)）]?$"
)
# A site's rights notice ("© 2012 … All rights reserved."): the footer has begun, however long the notice is.
RIGHTS_NOTICE = (
    rf"{COPYRIGHT_YEAR}|(?i:all rights reserved)|Alle Rechte vorbehalten|版权所有|保留所有权利|版權所有|"
    r"(?i:todos os direitos reservados|todos los derechos reservados|tous droits réservés|tutti i diritti riservati|"
    r"все права защищены)|無断転載を禁|無断転載禁止"
)
MAX_RIGHTS_NOTICE_LINE = 400
# A site's note on the browser to use ("This page is best viewed in an up-to-date web browser ..."): the footer.
BROWSER_NOTICE = r"(?i:\bbest viewed (?:in|with|using)\b.{0,80}\bbrowser)"
# A heading over the site's legal notices (an anti-infringement notice, a disclaimer), alone on its line.
LEGAL_NOTICE_HEADING = (
    r"^[【\[]?(?:反侵权公告|版权声明|免责声明|郑重声明|法律声明|版權聲明|免責聲明|Disclaimer|Legal Notice|"
    r"Copyright Notice|Haftungsausschluss|Rechtliche Hinweise)[】\]]?\s*[:：]?$"
)
# A site's legal notice or disclaimer paragraph: its heading word with the notice after the colon ("声明：此栏目文章
# 为……原创资讯，不构成投资建议", "Disclaimer: ..."), or a disclaimer's own words. Late in the text it ends the
# article, as long as a rights notice may be.
LEGAL_NOTICE_LINE = (
    r"^[【\[]?(?:声明|免责声明|郑重声明|法律声明|版权声明|特别声明|风险提示|免責聲明|版權聲明|Disclaimer|"
    r"Haftungsausschluss)[】\]]?\s*[:：]\s*\S|"
    r"^(?:The )?(?:views|opinions) expressed (?:in|here|by|on)\b|不构成(?:任何)?投资建议|不構成(?:任何)?投資建議|"
    # Chinese sites' reprint terms: "凡本网注明……版权均属……", "未经授权严禁转载", "本网站所刊载信息，不代表……观点"
    r"^\W{0,3}凡本[网網站]|版[权權]均[属屬]|严正申明|嚴正申明|未[经經].{0,10}授[权權].{0,6}(?:严禁|禁止|嚴禁|不得).{0,4}[转轉][载載]|"
    r"禁止.{0,4}[转轉][载載]|本[网網站].{0,8}(?:刊载|刊載)[^。]{0,20}不代表"
)

RELATED_HEADING = (
    # Chinese, each in Simplified or Traditional script (Taiwan, Hong Kong): 相关新闻 / 相關新聞, 延伸阅读 / 延伸閱讀
    r"^(?:相[关關](?:[阅閱][读讀]|新[闻聞]|文章|推[荐薦]|[报報][道導]|[内內]容)|延伸[阅閱][读讀]|推[荐薦][阅閱][读讀]|"
    r"[热熱][门門]推[荐薦]|猜你喜[欢歡]|[热熱][点點]推[荐薦]|精彩推[荐薦]|更多.{0,12}(?:[资資][讯訊]|新[闻聞]|文章|[内內]容)|"
    r"即[时時]新[闻聞]|其他.{0,6}新[闻聞]|"
    r"Related|Read more|Recommended|More on this (?:story|topic)|"
    r"More (?:stories|news|articles|from [^.]{1,30})|Further reading|Most (?:popular|read|viewed)|Top stories|"
    r"(?i:related (?:articles|posts|news|stories|content|topics|links|internet links|coverage|(?:\w+ )?sites)|"
    r"you (?:may|might) also (?:like|be interested in)|latest (?:news|stories|headlines)|key stories)|"
    r"Mehr zum Thema(?: auf \S.{0,30})?|Das könnte Sie auch interessieren|Weitere Artikel|Auch interessant|"
    r"(?:Mehr|Weitere|Top-?) ?Themen(?: bei \S.{0,30}| aus [^.]{1,40})?|Weitere (?:aktuelle )?(?:Beiträge|Themen)"
    r"(?: [^.]{1,40})?|Zum Weiterlesen|[Mm]eist[ -]?(?:gelesen|diskutiert|kommentiert)|"
    # other languages: pt, es, fr, it, ru, ja, ko, ar
    r"Not[ií]cias relacionadas|Mat[ée]rias relacionadas|Art[ií]culos relacionados|Articles similaires|"
    r"Sur le même sujet|Articoli correlati|Похожие (?:новости|статьи|материалы)|Другие новости|関連記事|"
    r"関連ニュース|관련 ?기사|관련 ?뉴스|أخبار ذات صلة|مقالات ذات صلة|"
    # the most-read lists in those languages, and related news in Urdu and Hindi
    r"Mais (?:lidas|lidos)|Más leídas?|Lo más leído|Les plus lus|Самое читаемое|Популярное|アクセスランキング|"
    r"よく読まれている記事|많이 본 뉴스|الأكثر قراءة|متعلقہ خبریں|مزید خبریں|संबंधित खबरें|सम्बंधित खबरें)"
    r"\s*[:：]?$"
)
# A "read also" box inside the article: the line goes, the article goes on after it. Its label alone, or with the
# other article's headline after it ("Auch lesen: Diese 3 Sternzeichen ...", "Leia também: ..."); the labels that
# alone are a related-content heading (RELATED_HEADING, which ends the text late) only with a headline.
_READ_ALSO_LABELS = (
    r"Auch lesen|Lesen Sie auch|Lesen Sie dazu|Read also|Also read|See also|SEE ALSO|另请参阅|"
    r"Leia (?:também|mais)|Lea también|Lee también|(?:À )?[Ll]ire aussi|Leggi anche|Читайте также|"
    r"Смотрите также|あわせて読みたい|Zobacz (?:też|także)|اقرأ أيضا|Veja também|Vea también|Voir aussi|"
    r"یہ بھی پڑھیں|مزید پڑھیں|ये भी पढ़ें|यह भी पढ़ें"
)
_LINKED_READ_ALSO_LABELS = (
    r"Lesen Sie mehr|Mehr dazu|Mehr zum Thema|Read more|READ MORE|Related|RELATED|Siehe auch|相关阅读|延伸阅读|"
    r"関連記事|관련기사|관련 기사|Ayrıca bakınız"
)
READ_ALSO_LINE = (
    rf"^(?:{_READ_ALSO_LABELS})\s*[:：]?$|"
    rf"^(?:{_READ_ALSO_LABELS}|{_LINKED_READ_ALSO_LABELS})\s*[:：]\s*\S.{{0,120}}$"
)

# A byline alone on its line: "By Claire Bates", "By JOSEPH WHITE AP Sports Writer", "By Julian Linden in Sydney".
# The authors are metadata, not the article's text. In German only "von …": "Von Rechts wegen" is a heading.
_NAME = r"[A-Z][\w.'’-]+"
BYLINE_LINE = (
    rf"^(?:By|BY) {_NAME}(?: {_NAME}){{0,5}}(?: (?:and|&) {_NAME}(?: {_NAME}){{0,3}})?"
    rf"(?: in {_NAME}(?: {_NAME}){{0,2}})?(?:, {_NAME}(?: {_NAME}){{0,3}})?$|"
    # German only in lower case, which a heading never starts with: "von Manuela Conrad"
    rf"^von {_NAME}(?: {_NAME}){{1,3}}(?: (?:und|&) {_NAME}(?: {_NAME}){{1,3}})?$|"
    # Portuguese, Spanish and French: "Por Ana Paula da Silva", "Par Jean-Pierre Dupont", a first and a last name at
    # least; Italian only in lower case ("di Mario Rossi"), since "Di" begins names
    rf"^(?:Por|POR|Par|PAR|di) {_NAME}(?: (?:(?:de|da|do|dos|das|del|de la|du|le|di) )?{_NAME}){{1,4}}"
    rf"(?: (?:e|y|et) {_NAME}(?: (?:(?:de|da|do|dos|das|del|du|di) )?{_NAME}){{1,4}})?$"
)

DROP_LINE_RULES: tuple[tuple[str, str], ...] = (
    ("editor_line", EDITOR_LINE),
    ("byline", BYLINE_LINE),
    ("snapshot_disclaimer", SNAPSHOT_DISCLAIMER),
    ("comment_form", COMMENT_FORM),
    ("image_credit", IMAGE_CREDIT),
    ("view_counter", VIEW_COUNTER),
    ("comment_counter", COMMENT_COUNTER),
    ("paywall", PAYWALL_LINE),
    ("ad_label", AD_LABEL),
    ("views_disclaimer", VIEWS_DISCLAIMER),
    ("story_contact", STORY_CONTACT),
    ("social_follow", SOCIAL_FOLLOW),
    ("embed_signature", EMBED_SIGNATURE),
    ("embed_placeholder", EMBED_PLACEHOLDER),
    ("syndication_footer", SYNDICATION_FOOTER),
    ("share_bar", SHARE_BAR),
    ("page_tool", PAGE_TOOL),
    ("site_footer", CJK_SITE_FOOTER),
    ("qr_widget", QR_WIDGET),
    ("teaser_date", TEASER_DATE),
    ("timestamp", TIMESTAMP_LINE),
    ("update_stamp", UPDATE_STAMP),
    ("labelled_stamp", LABELLED_STAMP),
    ("app_promo", APP_PROMO),
    ("promo_line", PROMO_LINE),
    ("pagination", PAGINATION),
    ("blog_post_nav", BLOG_POST_NAV),
    ("separator", SEPARATOR_LINE),
    ("related_heading", RELATED_HEADING),
    ("read_also", READ_ALSO_LINE),
    ("source_line", SOURCE_ONLY_LINE),
    ("source_stamp", SOURCE_STAMP_LINE),
    ("html_comment", HTML_COMMENT_LINE),
    ("print_edition", PRINT_EDITION_LINE),
    ("copyright", COPYRIGHT_LINE),
)
# Cut here whatever the position: nothing after a snapshot disclaimer belongs to the article.
CUTOFF_ALWAYS: tuple[str, ...] = (SNAPSHOT_DISCLAIMER,)
# Cut here only in the latter part of the text (at least this share of letters already seen).
CUTOFF_LATE: tuple[str, ...] = (RELATED_HEADING, COMMENT_FORM, LEGAL_NOTICE_HEADING)
# Cut here in the latter part of the text even when the line is longer than a boilerplate line.
CUTOFF_LATE_LONG: tuple[str, ...] = (RIGHTS_NOTICE, LEGAL_NOTICE_LINE, BROWSER_NOTICE, PRINT_EDITION_NOTE)
CUTOFF_LATE_MIN_SHARE = 0.4

# A reader comment's signature: who posted it and when ("Posted by: jim | January 14, 2008 07:20 PM",
# "Posted by: tax payer, Bolton on 2:49pm Wed 2 Jan 08", "Geschrieben von Anna am 3. Mai 2012 um 10:12").
# One such line can be a blog post's own byline; several in the latter part of the text are a comment thread.
COMMENT_SIGNATURE = (
    r"^(?:Posted|Submitted|Commented|Geschrieben|Verfasst|Eingestellt|Kommentiert) (?:by|von):?\s+\S.{0,60}?"
    r"(?:\s[|·]\s*|\s(?:on|at|am|um)\s)[\w.,:/ -]{0,30}"
    r"(?:\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AaPp]\.?[Mm]\.?|Uhr)?(?:\s*[A-Z]{2,4})?|\b\d{2}|\b\d{4})$"
)
COMMENT_THREAD_MIN = 3
BYLINE_REACH = 3

# Dropped however long the line: notices no article sentence starts with.
DROP_ANY_LENGTH_RULES: tuple[tuple[str, str], ...] = (("consent_notice", CONSENT_NOTICE),)

_DROP_RES = tuple((name, re.compile(p)) for name, p in DROP_LINE_RULES)
_DROP_ANY_LENGTH_RES = tuple((name, re.compile(p)) for name, p in DROP_ANY_LENGTH_RULES)
_CUTOFF_ALWAYS_RES = tuple(re.compile(p) for p in CUTOFF_ALWAYS)
_CUTOFF_LATE_RES = tuple(re.compile(p) for p in CUTOFF_LATE)
_CUTOFF_LATE_LONG_RES = tuple(re.compile(p) for p in CUTOFF_LATE_LONG)
_COMMENT_SIGNATURE_RE = re.compile(COMMENT_SIGNATURE)


@dataclass(frozen=True)
class LineRules:
    """The rules for one page: the generic ones plus a profile's own."""

    drop: tuple[re.Pattern[str], ...] = ()
    cutoff: tuple[re.Pattern[str], ...] = ()


def boilerplate_rule(line: str, extra: Sequence[re.Pattern[str]] = ()) -> str | None:
    """Name of the rule that marks this (normalised) line as boilerplate, or None."""
    for name, pattern in _DROP_ANY_LENGTH_RES:
        if pattern.search(line):
            return name
    if len(line) > MAX_BOILERPLATE_LINE:
        return None
    for name, pattern in _DROP_RES:
        if pattern.search(line):
            return name
    for pattern in extra:
        if pattern.search(line):
            return "profile:" + pattern.pattern[:30]
    return None


def comment_thread_start(paragraphs: Sequence[str]) -> int | None:
    """Index of the first reader comment's signature, when at least COMMENT_THREAD_MIN signatures follow the
    article and the first of them stands in the latter part of the text. A signature among the first
    BYLINE_REACH paragraphs is the post's own byline; a thread that starts earlier than the latter part is
    the page's main content (a forum or a comments page), and is left whole."""
    signed = [
        i
        for i, p in enumerate(paragraphs)
        if i >= BYLINE_REACH and len(p) <= MAX_BOILERPLATE_LINE and _COMMENT_SIGNATURE_RE.search(p)
    ]
    if len(signed) < COMMENT_THREAD_MIN:
        return None
    total = sum(len(p) for p in paragraphs) or 1
    return signed[0] if sum(len(p) for p in paragraphs[: signed[0]]) / total >= CUTOFF_LATE_MIN_SHARE else None


def _cutoff_index(paragraphs: Sequence[str], site: LineRules) -> int | None:
    total = sum(len(p) for p in paragraphs) or 1
    seen = 0
    for i, para in enumerate(paragraphs):
        short = len(para) <= MAX_BOILERPLATE_LINE
        if short and any(p.search(para) for p in (*_CUTOFF_ALWAYS_RES, *site.cutoff)):
            return i
        late = seen / total >= CUTOFF_LATE_MIN_SHARE
        if short and late and any(p.search(para) for p in _CUTOFF_LATE_RES):
            return i
        if late and len(para) <= MAX_RIGHTS_NOTICE_LINE and any(p.search(para) for p in _CUTOFF_LATE_LONG_RES):
            return i
        seen += len(para)
    return None


def _end_of_article(paragraphs: Sequence[str], site: LineRules) -> int | None:
    """Where the article ends: the first end-of-article marker or the start of a reader comment thread."""
    found = [at for at in (_cutoff_index(paragraphs, site), comment_thread_start(paragraphs)) if at is not None]
    return min(found, default=None)


# Markup that reached the text (a page whose broken element swallowed the HTML after it as text): tags, and CSS rules.
_MARKUP_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]{0,300})?/?>|\{[^{}]{0,300}:[^{}]{0,300};[^{}]{0,300}\}")
MARKUP_SHARE = 0.3
MARKUP_MIN_TAGS = 3


def is_markup(paragraph: str) -> bool:
    """True for a paragraph that is mostly HTML tags or CSS rules."""
    if "<" not in paragraph and "{" not in paragraph:
        return False
    found = _MARKUP_RE.findall(paragraph)
    return len(found) >= MARKUP_MIN_TAGS and sum(map(len, found)) >= MARKUP_SHARE * len(paragraph)


# A menu flattened into one line: "Home | News | Sports | Forums | Blogs | Jobs | Autos": many bar or bullet
# separators, few sentence ends, short items. A shorter row of links ("Top | Back | E-mail to a friend | Printable
# version", "News | Sport | Contact us") is one too when every item is short and no sentence ends in it.
_MENU_SEPARATOR_RE = re.compile(r"\s[|│｜•]\s|\s[|│｜•]$|^[|│｜•]\s")
_MENU_ITEM_SPLIT_RE = re.compile(r"[|│｜•]")
MENU_MIN_SEPARATORS = 6
MENU_MAX_ITEM = 40
LINK_ROW_MIN_SEPARATORS = 2
LINK_ROW_MIN_ITEMS = 3


def is_menu(paragraph: str) -> bool:
    """True for a navigation menu or link list flattened into one paragraph."""
    separators = len(_MENU_SEPARATOR_RE.findall(paragraph))
    if separators < LINK_ROW_MIN_SEPARATORS:
        return False
    items = [item.strip() for item in _MENU_ITEM_SPLIT_RE.split(paragraph) if item.strip()]
    if separators < MENU_MIN_SEPARATORS:
        return (
            len(items) >= LINK_ROW_MIN_ITEMS
            and all(len(item) <= MENU_MAX_ITEM for item in items)
            and SENTENCE_RE.search(paragraph) is None
        )
    short = sum(len(item) <= MENU_MAX_ITEM for item in items)
    return short >= 0.8 * len(items) and len(SENTENCE_RE.findall(paragraph)) * 4 < separators


# A breadcrumb trail: "首页 > 本网专稿 > 消费 > 正文", "Home » Sports » Pro Sports »", "您的位置：主页>艺术教育".
_BREADCRUMB_LABEL_RE = re.compile(
    r"^(?:您(?:现在)?(?:所在)?的?(?:当前)?位置|当前位置|當前位置|現在位置|目前位置|所在位置|"
    r"You are here|Sie sind hier)\s*[:：]"
)
# A trail's separators: ">", "->", "〉", "→" anywhere; "»" and "›" only between spaces (they are also quotation marks).
_BREADCRUMB_SEPARATOR_RE = re.compile(r"\s*(?:-?>|〉|→)\s*|\s+[»›]\s+|\s+[»›]$")
_BREADCRUMB_MARK_RE = re.compile(r"[>〉→»›:：]")  # no trail and no label without one of these
_BREADCRUMB_HOME = frozenset({"首页", "主页", "首頁", "主頁", "Home", "Startseite", "Hauptseite", "Homepage"})
_SENTENCE_MARK_RE = re.compile(r"[.!?。！？,，;；:：]")
MAX_BREADCRUMB_LINE = 120
MAX_BREADCRUMB_ITEM = 20
MAX_BREADCRUMB_LAST = 60


def is_breadcrumb(line: str) -> bool:
    """True for a breadcrumb trail: a location label, or two or more separators between short items that start at a
    home link, end at the body-text marker 正文, or are Chinese names (a how-to path such as "Go to Settings >
    General > About" in an English sentence is no trail)."""
    if len(line) > MAX_BREADCRUMB_LINE or not _BREADCRUMB_MARK_RE.search(line):
        return False
    if _BREADCRUMB_LABEL_RE.search(line):
        return True
    parts = [part.strip() for part in _BREADCRUMB_SEPARATOR_RE.split(line)]
    *items, last = parts
    if not items or len(last) > MAX_BREADCRUMB_LAST:
        return False
    if any(not item or len(item) > MAX_BREADCRUMB_ITEM or _SENTENCE_MARK_RE.search(item) for item in items):
        return False
    if last == "正文":
        return True
    if len(items) < 2:
        return False
    named = "".join(items)
    return items[0] in _BREADCRUMB_HOME or script_counts(named)["han"] * 2 >= len(named.replace(" ", ""))


def _without_markup(paragraph: str) -> str:
    return " ".join(_MARKUP_RE.sub(" ", paragraph).split()) if is_markup(paragraph) else paragraph


def apply_line_rules(paragraphs: Sequence[str], site: LineRules = LineRules()) -> list[str]:
    """Paragraphs without boilerplate lines or leaked markup, cut at the first end-of-article marker."""
    cut = _end_of_article(paragraphs, site)
    kept = [_without_markup(p) for p in (paragraphs[:cut] if cut is not None else paragraphs)]
    return [p for p in kept if p and boilerplate_rule(p, site.drop) is None and not is_menu(p) and not is_breadcrumb(p)]
