"""The sample site's articles, as data: titles, body paragraphs, dates, authors, where each appears.

Every article a correct crawl stores is an :class:`Article` here; the pages, feeds and sitemaps in
:mod:`newsmon.sample_site.render` are generated from these records, so EXPECTED and the served site
cannot drift apart.

Paragraphs starting with ``"## "`` are rendered as sub-headings inside the article body.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources

VARIANTS = ("base", "updated", "undated")


@dataclass(frozen=True)
class Update:
    """What changes in an article under the "updated" variant."""

    paragraph: str          # prepended to the body
    modified: str           # new dateModified / Atom updated / sitemap lastmod / RSS pubDate


@dataclass(frozen=True)
class Article:
    source: str
    path: str                       # the clean (canonical) path
    title: str                      # without the site suffix
    paragraphs: tuple[str, ...]
    published: str | None           # what a correct crawl stores: ISO 8601 with offset
    page_date: str | None           # the date exactly as the page's markup writes it (may lack an offset)
    date_form: str                  # jsonld | jsonld-naive | og | og-naive | text | time-naive | none
    language: str
    summary: str
    authors: tuple[str, ...] = ()
    modified: str | None = None
    encoding: str = "utf-8"         # utf-8 | cp1256 | iso-8859-6 | mojibake (see ENCODINGS)
    snippet: str = ""               # a phrase the extracted body must contain
    update: Update | None = None
    variants: frozenset[str] = field(default_factory=lambda: frozenset(VARIANTS))
    # <html lang="..."> as the page writes it: "" = the article's language, None = no lang attribute at all
    html_lang: str | None = ""
    # the outlet credited in a last body line "المصدر: ..." that a correct crawl moves out of the body
    credited_source: str | None = None

    @property
    def page_lang(self) -> str | None:
        return self.language if self.html_lang == "" else self.html_lang


def _shoigu_paragraphs() -> tuple[str, ...]:
    text = resources.files(__package__).joinpath("almanar-shoigu-tehran.txt").read_text("utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    subheads = {"ايران.. “خطوط حمراء وكذبة سياسية كبيرة”", "الاطلاع على أحدث منتجات إيران العسكرية"}
    return tuple(("## " + line) if line in subheads else line for line in lines)


SHOIGU = _shoigu_paragraphs()

# ---------------------------------------------------------------------------------------------------------
# almanar — Arabic, Asia/Beirut (UTC+3 in September 2023). RSS 2.0 feed + the home page as a section.
# ---------------------------------------------------------------------------------------------------------
ALMANAR = [
    Article(
        source="almanar", path="/almanar/article/1001",
        title="شويغو في طهران: التعاون العسكري بين ايران وروسيا",
        paragraphs=SHOIGU[:-1], credited_source="موقع المنار",  # the sample's closing "المصدر: موقع المنار"
        published="2023-09-20T11:30:00+03:00", page_date="2023-09-20T11:30:00+03:00", date_form="jsonld",
        modified="2023-09-20T12:10:00+03:00",
        language="ar",
        summary="حطّت طائرة وزير الدفاع الروسي سيرغي شويغو في طهران في إطار تعزيز التعاون العسكري بين البلدين.",
        snippet="حطّت طائرة وزير الدفاع الروسي سيرغي شويغو في طهران",
    ),
    Article(
        source="almanar", path="/almanar/article/1002",
        title="كهرباء لبنان: باخرة فيول جديدة تصل الأسبوع المقبل وزيادة ساعات التغذية",
        paragraphs=(
            "أعلنت مؤسسة كهرباء لبنان في بيان اليوم الأربعاء أن باخرة محمّلة بنحو خمسة وثلاثين ألف طن من مادة الفيول أويل ستصل إلى المياه الإقليمية اللبنانية مطلع الأسبوع المقبل، على أن تبدأ عمليات التفريغ في معملي الزهراني ودير عمار فور استكمال الفحوصات المخبرية على العينات.",
            "وأوضحت المؤسسة أن وصول الشحنة سيسمح برفع ساعات التغذية بالتيار الكهربائي تدريجياً لتصل إلى ما بين ثماني وعشر ساعات يومياً في معظم المناطق، بعد أسابيع من التقنين القاسي الذي دفع المواطنين إلى الاعتماد شبه الكامل على المولدات الخاصة.",
            "ولفت البيان إلى أن الأولوية في التغذية ستبقى للمرافق الحيوية، ولا سيما المستشفيات ومحطات ضخ المياه والمطار والمرفأ، داعياً المشتركين إلى تسديد فواتيرهم المتأخرة لضمان استمرار قدرة المؤسسة على شراء المحروقات.",
            "من جهته، قال وزير الطاقة والمياه في تصريح صحافي إن الوزارة تعمل على خطة لتأمين شحنات إضافية حتى نهاية العام، مشيراً إلى أن المفاوضات مع الجهات المورّدة قطعت شوطاً مهماً، وأن الهدف هو الوصول إلى تغذية مستقرة قبل حلول فصل الشتاء.",
            "ويعاني قطاع الكهرباء في لبنان منذ سنوات من عجز مزمن تفاقم مع الأزمة المالية التي تعصف بالبلاد منذ عام 2019، ما جعل ملف الطاقة في صدارة المطالب الإصلاحية التي تطرحها الجهات الدولية المانحة.",
        ),
        published="2023-09-20T09:15:00+03:00", page_date="2023-09-20T09:15:00", date_form="og-naive",
        language="ar",
        summary="مؤسسة كهرباء لبنان تعلن وصول باخرة فيول الأسبوع المقبل ورفع ساعات التغذية تدريجياً.",
        snippet="خمسة وثلاثين ألف طن من مادة الفيول أويل",
    ),
    Article(
        source="almanar", path="/almanar/article/1003",
        title="موجة حر تضرب لبنان ودعوات لتجنب التعرض المباشر لأشعة الشمس",
        paragraphs=(
            "توقعت مصلحة الأرصاد الجوية في المديرية العامة للطيران المدني أن يسيطر طقس حار ورطب على لبنان حتى نهاية الأسبوع، مع ارتفاع ملموس في درجات الحرارة على الساحل وفي الداخل، حيث قد تلامس الأربعين درجة مئوية في البقاع.",
            "ودعت وزارة الصحة العامة المواطنين، ولا سيما كبار السن والأطفال والمصابين بأمراض مزمنة، إلى تجنب التعرض المباشر لأشعة الشمس بين الساعة الحادية عشرة قبل الظهر والرابعة بعد الظهر، والإكثار من شرب المياه وارتداء الملابس الفاتحة.",
            "كما حذرت المديرية العامة للدفاع المدني من خطر اندلاع الحرائق في الأحراج والأراضي الزراعية، وطلبت من المزارعين عدم إشعال النيران لحرق الأعشاب اليابسة، مؤكدة جهوزية فرقها للتدخل السريع في مختلف المناطق.",
            "وأشارت مصلحة الأرصاد إلى أن الرياح ستكون شرقية ناشطة أحياناً على المرتفعات، فيما يكون البحر منخفض الموج وحرارة سطح المياه نحو ثمانٍ وعشرين درجة، على أن يطرأ انخفاض تدريجي على درجات الحرارة مطلع الأسبوع المقبل مع احتمال ضئيل لتساقط زخات محلية من المطر في الشمال.",
        ),
        published="2023-09-19T18:05:00+03:00", page_date="2023-09-19T18:05:00", date_form="jsonld-naive",
        language="ar",
        summary="الأرصاد الجوية تتوقع طقساً حاراً ورطباً حتى نهاية الأسبوع ووزارة الصحة تدعو إلى الحذر.",
        snippet="قد تلامس الأربعين درجة مئوية في البقاع",
    ),
    Article(
        source="almanar", path="/almanar/article/1004",
        title="الجامعة اللبنانية تحدد موعد انطلاق العام الدراسي الجديد",
        paragraphs=(
            "أعلن رئيس الجامعة اللبنانية في مؤتمر صحافي عقده اليوم في مبنى الإدارة المركزية أن العام الدراسي الجديد سينطلق في جميع الكليات والفروع في التاسع من تشرين الأول المقبل، على أن تبدأ مرحلة التسجيل الإلكتروني للطلاب الجدد مطلع الأسبوع المقبل.",
            "وأوضح أن مجلس الجامعة أقر سلسلة من الإجراءات لضمان انتظام العام الدراسي، بينها تأمين مادة المازوت لتشغيل المولدات في المجمعات الجامعية، وتوسيع استخدام المنصات الرقمية في المحاضرات النظرية، واعتماد دوام مرن في بعض الكليات لتخفيف أعباء الانتقال عن الطلاب.",
            "وتطرق رئيس الجامعة إلى أوضاع الأساتذة المتعاقدين، معتبراً أن إنصافهم وتحسين رواتبهم شرط أساسي لاستقرار الجامعة، وكشف عن اتصالات مع وزارة المالية لصرف المستحقات المتأخرة قبل بدء العام الدراسي.",
            "وتضم الجامعة اللبنانية، وهي الجامعة الرسمية الوحيدة في البلاد، أكثر من سبعين ألف طالب وطالبة موزعين على تسع عشرة كلية ومعهداً، وقد شهدت في السنوات الأخيرة إضرابات متكررة على خلفية تدهور القيمة الشرائية للرواتب.",
        ),
        # No machine-readable date anywhere (not in the feed either): only the visible text below.
        published="2023-09-20T14:35:00+03:00", page_date="الأربعاء 20 أيلول 2023 - 14:35", date_form="text",
        language="ar",
        summary="العام الدراسي في الجامعة اللبنانية ينطلق في التاسع من تشرين الأول.",
        snippet="سينطلق في جميع الكليات والفروع في التاسع من تشرين الأول",
    ),
    Article(
        source="almanar", path="/almanar/article/1005",
        title="العراق: انخفاض مناسيب دجلة والفرات يهدد الموسم الزراعي",
        paragraphs=(
            "حذرت وزارة الموارد المائية العراقية من تراجع غير مسبوق في مناسيب نهري دجلة والفرات، مؤكدة أن الخزين المائي في السدود والبحيرات وصل إلى أدنى مستوياته منذ نحو تسعين عاماً، بفعل قلة الأمطار وتراجع الإطلاقات المائية من دول المنبع.",
            "وقال المتحدث باسم الوزارة إن الخطة الزراعية للموسم الشتوي المقبل ستقلص إلى النصف تقريباً، مع منح الأولوية لمياه الشرب والاستخدامات المنزلية، داعياً المزارعين إلى اعتماد تقنيات الري الحديثة بالرش والتنقيط للحد من الهدر.",
            "وفي محافظات الجنوب، ولا سيما ذي قار والبصرة وميسان، يشكو السكان من ارتفاع ملوحة المياه وجفاف أجزاء واسعة من الأهوار، ما دفع مئات العائلات التي تعتمد على صيد الأسماك وتربية الجواميس إلى النزوح نحو المدن.",
            "وتجري بغداد مفاوضات مع أنقرة وطهران للتوصل إلى تفاهمات تضمن حصة عادلة ومستدامة من المياه، فيما يطالب خبراء بإطلاق مشاريع لمعالجة المياه وتحديث شبكات الري التي يعود بعضها إلى عقود طويلة.",
        ),
        published="2023-09-19T10:40:00+03:00", page_date="2023-09-19T10:40:00+03:00", date_form="og",
        language="ar",
        summary="وزارة الموارد المائية العراقية تحذر من تراجع غير مسبوق في مناسيب دجلة والفرات.",
        snippet="أدنى مستوياته منذ نحو تسعين عاماً",
    ),
    Article(
        source="almanar", path="/almanar/article/1006",
        title="انطلاق معرض الكتاب العربي في بيروت بمشاركة أكثر من مئة دار نشر",
        paragraphs=(
            "افتُتح في العاصمة اللبنانية بيروت معرض الكتاب العربي في دورته الجديدة، بمشاركة أكثر من مئة دار نشر لبنانية وعربية، وسط حضور ثقافي وشعبي لافت رغم الظروف الاقتصادية الصعبة التي يمر بها لبنان.",
            "ويتضمن برنامج المعرض الذي يستمر عشرة أيام ندوات فكرية وأمسيات شعرية وحفلات توقيع لعشرات الإصدارات الجديدة في الرواية والشعر والتاريخ والفكر السياسي، إضافة إلى ركن خاص بكتب الأطفال وورش للقراءة والرسم.",
            "وقال رئيس النادي الثقافي المنظم للمعرض إن الإقبال في اليوم الأول فاق التوقعات، معتبراً أن بيروت تثبت مجدداً أنها عاصمة للكتاب والنشر في العالم العربي، وأن القراءة ما زالت حاجة لدى الأجيال الشابة.",
            "وأشار عدد من الناشرين إلى أن ارتفاع أسعار الورق وكلفة الطباعة والشحن انعكس على أسعار الكتب، ما دفع كثيراً من الدور إلى تقديم حسومات خاصة تصل إلى خمسين في المئة لتشجيع الزوار على الشراء.",
        ),
        published="2023-09-18T13:00:00+03:00", page_date="2023-09-18T13:00:00+03:00", date_form="jsonld",
        authors=("زينب فواز",),
        language="ar",
        summary="معرض الكتاب العربي في بيروت يفتتح دورته الجديدة بمشاركة أكثر من مئة دار نشر.",
        snippet="بمشاركة أكثر من مئة دار نشر لبنانية وعربية",
    ),
    Article(
        source="almanar", path="/almanar/article/1007",
        title="أسعار المحروقات في لبنان: ارتفاع سعر صفيحتي البنزين والمازوت",
        paragraphs=(
            "صدر اليوم جدول جديد لأسعار المحروقات في لبنان، سجل فيه سعر صفيحة البنزين 95 أوكتان ارتفاعاً بقيمة أربعة آلاف ليرة، وصفيحة البنزين 98 أوكتان بقيمة أربعة آلاف ليرة أيضاً، فيما ارتفع سعر صفيحة المازوت ثلاثة آلاف ليرة، واستقر سعر قارورة الغاز.",
            "وعزا ممثل موزعي المحروقات هذا الارتفاع إلى صعود أسعار النفط في الأسواق العالمية خلال الأسبوع الماضي، مشيراً إلى أن الأسعار المحلية باتت تتبع بشكل مباشر تقلبات سعر برميل النفط وسعر صرف الدولار في السوق.",
            "ويخشى أصحاب سيارات الأجرة والنقل العام من انعكاس الارتفاع المتواصل على تعرفة النقل، في وقت طالبت فيه نقاباتهم الحكومة بإعادة العمل بدعم جزئي للمحروقات المخصصة للسائقين العموميين.",
            "وتصدر وزارة الطاقة والمياه جدول الأسعار مرتين أسبوعياً، يومي الثلاثاء والجمعة، وقد تصدر جدولاً استثنائياً عند حصول تقلبات حادة في الأسواق العالمية.",
        ),
        published="2023-09-20T08:00:00+03:00", page_date="2023-09-20T08:00:00+03:00", date_form="jsonld",
        language="ar",
        summary="جدول جديد لأسعار المحروقات يرفع سعر صفيحتي البنزين والمازوت.",
        snippet="سجل فيه سعر صفيحة البنزين 95 أوكتان ارتفاعاً",
        update=Update(
            paragraph="تحديث: أصدرت وزارة الطاقة والمياه بعد ظهر اليوم جدولاً استثنائياً خفضت بموجبه سعر صفيحة البنزين بنوعيه ألفي ليرة، بعد تراجع سعر برميل النفط في الأسواق العالمية.",
            modified="2023-09-20T16:45:00+03:00",
        ),
    ),
    Article(
        source="almanar", path="/almanar/article/1008",
        title="مزارعو الجنوب يستعدون لموسم قطاف الزيتون وسط ارتفاع الكلفة",
        paragraphs=(
            "يستعد مزارعو الزيتون في جنوب لبنان لانطلاق موسم القطاف مع أولى زخات المطر المتوقعة الشهر المقبل، وسط مخاوف من ارتفاع كلفة اليد العاملة والنقل والعصر التي باتت تقارب نصف ثمن المحصول.",
            "ويقول مزارعون في قرى قضاءي حاصبيا ومرجعيون إن الحمل هذا العام جيد مقارنة بالموسم الماضي، إلا أن تصريف الإنتاج يبقى التحدي الأكبر في ظل تراجع القدرة الشرائية وصعوبة التصدير إلى الأسواق الخارجية.",
            "وتعمل تعاونيات زراعية على تنظيم عمليات القطاف والعصر بشكل جماعي لخفض الكلفة، فيما دعت وزارة الزراعة إلى الالتزام بمواعيد القطاف المناسبة للحفاظ على جودة الزيت، مذكّرة بأن زيت الزيتون اللبناني يحظى بسمعة جيدة في الأسواق العربية والأوروبية.",
            "ويعد الزيتون من أبرز الزراعات في لبنان، إذ تغطي بساتينه نحو خُمس المساحات المزروعة، ويعتمد عليه آلاف العائلات مصدراً رئيسياً أو إضافياً للدخل.",
        ),
        published="2023-09-21T10:00:00+03:00", page_date="2023-09-21T10:00:00+03:00", date_form="jsonld",
        language="ar",
        summary="مزارعو الزيتون في الجنوب يستعدون للقطاف وسط ارتفاع الكلفة.",
        snippet="تقارب نصف ثمن المحصول",
        variants=frozenset({"updated"}),     # a new article that appears only in the updated site
    ),
]

# ---------------------------------------------------------------------------------------------------------
# wire — English, UTC. Atom feed + sitemap index (urlset with lastmod, Google News sitemap). JSON-LD with
# Person authors on every page.
# ---------------------------------------------------------------------------------------------------------
WIRE = [
    Article(
        source="wire", path="/wire/news/2023/09/shoigu-tehran-talks",
        title="Russian defence minister Shoigu holds military talks in Tehran",
        paragraphs=(
            "TEHRAN, Sept 20 (Global Wire) - Russian Defence Minister Sergei Shoigu held talks with his Iranian counterpart Mohammad Reza Ashtiani in Tehran on Wednesday, the second foreign trip for Shoigu in weeks after a visit to North Korea in July.",
            "Shoigu said cooperation between Moscow and Tehran had reached \"a new level\" despite opposition from the United States and its Western allies, and that sanctions pressure on both countries had proved ineffective, according to a statement from the Russian defence ministry.",
            "Ashtiani said preserving the territorial integrity of countries in the region was a red line for Iran and backed a proposed \"3+3\" regional format for settling disputes in the South Caucasus.",
            "Western governments have accused Iran of supplying Russia with drones used in the war in Ukraine, a charge Tehran has rejected. Washington has threatened sanctions on anyone facilitating military cooperation between the two countries.",
            "During the visit Shoigu toured an exhibition of the Islamic Revolutionary Guard Corps aerospace force, where he was shown ballistic missiles, drones and air defence systems, the Russian ministry said.",
        ),
        published="2023-09-20T12:45:00+00:00", page_date="2023-09-20T12:45:00Z", date_form="jsonld",
        modified="2023-09-20T13:20:00Z",
        authors=("Maria Lind",), language="en",
        summary="Sergei Shoigu says Russian-Iranian military cooperation has reached a new level.",
        snippet="cooperation between Moscow and Tehran had reached",
    ),
    Article(
        source="wire", path="/wire/news/2023/09/fed-holds-rates",
        title="Fed holds interest rates steady, signals one more hike this year",
        paragraphs=(
            "WASHINGTON, Sept 20 (Global Wire) - The U.S. Federal Reserve held interest rates steady on Wednesday but stiffened its hawkish stance, with policymakers projecting one more rate increase by the end of the year and monetary policy kept significantly tighter through 2024.",
            "The central bank left its benchmark overnight rate in the 5.25%-5.50% range, where it has been since July, in a unanimous decision by its policy-setting committee.",
            "New economic projections showed officials now expect the economy to grow faster this year than they had forecast in June, with unemployment ending the year at 3.8% and inflation continuing to cool, though remaining above the Fed's 2% target.",
            "Fed Chair Jerome Powell told reporters the central bank was prepared to raise rates further if appropriate and intended to hold policy at a restrictive level until it was confident inflation was moving sustainably down.",
            "U.S. stocks fell after the decision, while Treasury yields rose to their highest levels in more than a decade as investors priced in borrowing costs staying higher for longer.",
        ),
        published="2023-09-20T18:30:00+00:00", page_date="2023-09-20T18:30:00Z", date_form="jsonld",
        modified="2023-09-20T19:05:00Z",
        authors=("Daniel Okafor", "Priya Raman"), language="en",
        summary="The Federal Reserve kept rates unchanged but projected one more increase in 2023.",
        snippet="held interest rates steady on Wednesday",
        update=Update(
            paragraph="UPDATE: Futures markets on Thursday priced in a lower chance of a November hike after weekly jobless claims fell to their lowest level since January.",
            modified="2023-09-21T09:00:00Z",
        ),
    ),
    Article(
        source="wire", path="/wire/news/2023/09/derna-aid-shortages",
        title="Libya flood survivors face shortages as aid operation scales up in Derna",
        paragraphs=(
            "DERNA, Libya, Sept 19 (Global Wire) - Survivors of the catastrophic floods in the eastern Libyan city of Derna faced shortages of clean water, medicine and shelter on Tuesday as international aid teams worked to reach neighbourhoods cut off when two dams burst a week ago.",
            "United Nations agencies said they were scaling up the response, with field hospitals, water purification units and body recovery teams arriving from several countries, but that access to parts of the city remained difficult after bridges were swept away.",
            "Health officials warned of a risk of waterborne disease and urged residents to drink only bottled water. Thousands of people remain missing, and local authorities said the death toll was likely to rise as recovery teams searched the debris and the coastline.",
            "Aid workers said coordination between Libya's rival administrations in the east and west had improved in recent days, allowing convoys to move more freely, although they cautioned that rebuilding the city would take years.",
        ),
        published="2023-09-19T09:10:00+00:00", page_date="2023-09-19T09:10:00Z", date_form="jsonld",
        modified="2023-09-19T11:00:00Z",
        authors=("Samir Haddad",), language="en",
        summary="Derna survivors lack water, medicine and shelter a week after the dam collapse.",
        snippet="faced shortages of clean water, medicine and shelter",
    ),
    Article(
        source="wire", path="/wire/news/2023/09/karabakh-ceasefire",
        title="Karabakh Armenians agree to ceasefire after Azerbaijani military operation",
        paragraphs=(
            "BAKU/YEREVAN, Sept 20 (Global Wire) - Ethnic Armenian forces in Nagorno-Karabakh agreed on Wednesday to a ceasefire proposed by Russian peacekeepers, a day after Azerbaijan launched a military operation in the breakaway region.",
            "Under the terms announced by both sides, the Armenian forces will disband and disarm, and talks on the region's reintegration into Azerbaijan will begin in the Azerbaijani city of Yevlakh on Thursday.",
            "Azerbaijan's presidency said the operation had achieved its aims. Armenian Prime Minister Nikol Pashinyan said Armenia had not been involved in drafting the ceasefire and that its army was not taking part in the fighting.",
            "Residents of the regional capital described shelling overnight and long queues for food and fuel. International aid groups called for humanitarian access and for the protection of civilians, and several governments urged both sides to return to negotiations.",
        ),
        published="2023-09-20T16:05:00+00:00", page_date="2023-09-20T16:05:00Z", date_form="jsonld",
        authors=("Thomas Becker",), language="en",
        summary="Armenian forces in Nagorno-Karabakh agree to disband under a Russian-brokered ceasefire.",
        snippet="agreed on Wednesday to a ceasefire proposed by Russian peacekeepers",
    ),
    Article(
        source="wire", path="/wire/news/2023/09/unga-general-debate",
        title="World leaders gather in New York as UN General Assembly debate opens",
        paragraphs=(
            "NEW YORK, Sept 19 (Global Wire) - World leaders opened the annual high-level debate of the United Nations General Assembly on Tuesday, with the war in Ukraine, climate change and the cost of living dominating speeches on the first day.",
            "UN Secretary-General Antonio Guterres warned that the world was becoming unhinged as geopolitical tensions rose and global challenges mounted, and called for reform of multilateral institutions to reflect today's world.",
            "Leaders of several developing countries used their addresses to press wealthy nations to deliver on climate finance pledges and to ease debt burdens that they said were crippling spending on health and education.",
            "The week-long gathering also includes summits on the Sustainable Development Goals, pandemic preparedness and universal health coverage, as well as hundreds of bilateral meetings on the sidelines.",
        ),
        published="2023-09-19T14:20:00+00:00", page_date="2023-09-19T14:20:00Z", date_form="jsonld",
        authors=("Laura Chen",), language="en",
        summary="Ukraine, climate and the cost of living dominate the first day of the UN General Assembly debate.",
        snippet="the war in Ukraine, climate change and the cost of living",
    ),
    Article(
        source="wire", path="/wire/news/2023/09/oil-ten-month-high",
        title="Oil prices hover near ten-month highs on tight supply outlook",
        paragraphs=(
            "LONDON, Sept 18 (Global Wire) - Oil prices held near ten-month highs on Monday, supported by expectations of a supply deficit in the fourth quarter after Saudi Arabia and Russia extended voluntary output cuts to the end of the year.",
            "Brent crude futures traded above $94 a barrel, while U.S. West Texas Intermediate crude was near $91, both close to their highest levels since November.",
            "Analysts said signs of steadier demand in China, where refinery throughput rose to a record in August, added to the bullish sentiment, although concerns about further interest rate rises capped gains.",
            "Investors were also watching central bank meetings this week in the United States, Britain and Japan for signals on the path of monetary policy, which could weigh on economic growth and fuel consumption.",
        ),
        published="2023-09-18T07:50:00+00:00", page_date="2023-09-18T07:50:00Z", date_form="jsonld",
        authors=("Jonas Weber",), language="en",
        summary="Brent holds above $94 a barrel as Saudi and Russian supply cuts tighten the market.",
        snippet="Brent crude futures traded above $94 a barrel",
    ),
    Article(
        # The slow page: the server sleeps slow_seconds before answering. Only in the sitemap.
        source="wire", path="/wire/news/2023/09/morocco-quake-rebuilding",
        title="Morocco unveils plan to rebuild Atlas mountain villages after earthquake",
        paragraphs=(
            "MARRAKECH, Morocco, Sept 17 (Global Wire) - Morocco announced a programme to rebuild about 50,000 homes damaged or destroyed by the earthquake that struck the High Atlas mountains this month, offering direct payments to affected families.",
            "Households whose homes collapsed will receive up to 140,000 dirhams for reconstruction, while those with partially damaged homes will get 80,000 dirhams, the government said, alongside monthly support for a year.",
            "Rescue operations have given way to the task of providing shelter before winter sets in, with tents and temporary housing set up in many villages that remain reachable only by narrow mountain roads cleared of rockfall.",
            "Officials said reconstruction would respect the architectural heritage of the region, where many houses are built from traditional mud brick, while applying stricter building standards to withstand future tremors.",
        ),
        published="2023-09-17T11:00:00+00:00", page_date="2023-09-17T11:00:00Z", date_form="jsonld",
        authors=("Karim Benali",), language="en",
        summary="Morocco offers payments to rebuild some 50,000 homes hit by the High Atlas earthquake.",
        snippet="rebuild about 50,000 homes damaged or destroyed",
    ),
]

# A page that exists (200) but is disallowed by robots.txt; listed in the wire urlset sitemap.
WIRE_PRIVATE = Article(
    source="wire", path="/wire/private/embargoed-draft",
    title="EMBARGOED DRAFT: quarterly earnings preview (do not publish)",
    paragraphs=(
        "This is an internal draft held under embargo. It is linked from the sitemap by mistake and is disallowed by robots.txt; a polite crawler never fetches it.",
        "Editors: do not publish before the embargo lifts. Figures below are placeholders and have not been checked against company filings.",
    ),
    published=None, page_date="2023-09-21T06:00:00Z", date_form="jsonld",
    authors=("Newsroom",), language="en", summary="", snippet="internal draft held under embargo",
)

# ---------------------------------------------------------------------------------------------------------
# alakhbar — Arabic, Asia/Beirut, a different template: no JSON-LD, <time datetime> without offset, bylines in
# <meta name="author">; some pages windows-1256 encoded; Content-Type header without charset. Sections only.
# ---------------------------------------------------------------------------------------------------------
SYNDICATED = SHOIGU[:-1]   # the almanar text; its closing source line is rendered from credited_source

ALAKHBAR = [
    Article(
        source="alakhbar", path="/alakhbar/2023/09/20/3001",
        title="طهران وموسكو: آشتیانی يؤكد رفض أي تواجد عسكري أجنبي في المنطقة",
        paragraphs=(
            # Mixes in Persian yeh (U+06CC) in the name, as real Arabic outlets do.
            "أكد وزير الدفاع الإيراني العميد محمد رضا آشتیانی، خلال استقباله نظيره الروسي في طهران، أن بلاده ترفض أي تواجد لقوات أجنبية من خارج المنطقة، معتبراً أن أمن الخليج والقوقاز مسؤولية دول الجوار وحدها.",
            "وتناولت المحادثات، بحسب بيان لوزارة الدفاع الإيرانية، سبل تطوير التعاون في مجالات التدريب وتبادل الخبرات والمناورات البحرية المشتركة، إضافة إلى الأوضاع في سوريا وأفغانستان والقوقاز.",
            "ويرى مراقبون في بيروت أن توقيت الزيارة يحمل رسائل سياسية واضحة إلى العواصم الغربية، في ظل تصاعد الضغوط والعقوبات على البلدين، وقرب انتهاء القيود التي فرضها القرار 2231 على برنامج إيران الصاروخي.",
            "وقال الباحث في الشؤون الإيرانية علي حيدر لـ«الأخبار» إن «العلاقة بين طهران وموسكو انتقلت من مرحلة التنسيق الظرفي إلى شراكة استراتيجية تشمل الاقتصاد والطاقة والدفاع»، مرجحاً أن تشهد الأشهر المقبلة توقيع اتفاقات جديدة بين الجانبين.",
        ),
        published="2023-09-20T15:20:00+03:00", page_date="2023-09-20T15:20:00", date_form="time-naive",
        authors=("رامي خليل",), language="ar",
        summary="وزير الدفاع الإيراني يؤكد رفض بلاده أي تواجد لقوات أجنبية في المنطقة.",
        snippet="ترفض أي تواجد لقوات أجنبية من خارج المنطقة",
    ),
    Article(
        source="alakhbar", path="/alakhbar/2023/09/19/3002",
        title="مجلس الوزراء يبدأ دراسة مشروع موازنة 2024 وسط اعتراضات نقابية",
        paragraphs=(
            "بدأ مجلس الوزراء اللبناني في جلسة عقدها في السراي الحكومي دراسة مشروع قانون موازنة العام 2024، الذي أحالته وزارة المالية بعد أسابيع من النقاشات التقنية، على أن تُستكمل الجلسات بشكل متتالٍ لإقراره وإحالته إلى المجلس النيابي ضمن المهل الدستورية.",
            "ويتضمن المشروع، بحسب مصادر وزارية، زيادات على عدد من الرسوم والضرائب واعتماد سعر صرف موحد لاحتساب الإيرادات الجمركية، فيما تبقى رواتب القطاع العام ومخصصات التقاعد البند الأثقل في باب النفقات.",
            "في المقابل، أعلنت رابطة موظفي الإدارة العامة رفضها لأي ضرائب جديدة لا تترافق مع تصحيح فعلي للأجور، ولوّحت بالعودة إلى الإضراب المفتوح إذا لم تؤخذ مطالبها في الاعتبار.",
            "ويرى اقتصاديون أن الموازنة، رغم أهميتها في انتظام المالية العامة، لا تشكل بديلاً من خطة تعافٍ شاملة تعالج الفجوة المالية وتعيد هيكلة القطاع المصرفي، وهي شروط أساسية للاتفاق مع صندوق النقد الدولي.",
        ),
        published="2023-09-19T12:00:00+03:00", page_date="2023-09-19T12:00:00", date_form="time-naive",
        authors=("نادين سعد",), language="ar",
        summary="الحكومة تبدأ درس مشروع موازنة 2024 والرابطة تلوّح بالإضراب.",
        snippet="دراسة مشروع قانون موازنة العام 2024",
    ),
    Article(
        # Syndicated copy of almanar 1001: same body, another title, "المصدر: المنار" at the end. cp1256.
        source="alakhbar", path="/alakhbar/2023/09/20/3003",
        title="وزير الدفاع الروسي في طهران: تعاون عسكري إيراني روسي رغم الضغوط الغربية",
        paragraphs=SYNDICATED, credited_source="المنار",
        published="2023-09-20T13:05:00+03:00", page_date="2023-09-20T13:05:00", date_form="time-naive",
        language="ar", encoding="cp1256",
        summary="شويغو في طهران لبحث التعاون العسكري مع إيران.",
        snippet="حطّت طائرة وزير الدفاع الروسي سيرغي شويغو في طهران",
    ),
    Article(
        source="alakhbar", path="/alakhbar/2023/09/20/3004",
        title="مصرف لبنان: استقرار سعر صرف الدولار وارتفاع الاحتياطات بالعملات الأجنبية",
        paragraphs=(
            "أعلن مصرف لبنان في بيانه نصف الشهري أن احتياطاته بالعملات الأجنبية سجلت ارتفاعاً طفيفاً خلال النصف الأول من أيلول، في ظل استقرار سعر صرف الدولار في السوق الموازية عند حدود تسعة وثمانين ألف ليرة منذ أسابيع.",
            "وأوضح المصرف أنه لم يموّل الدولة بالعملات الأجنبية منذ تسلم الحاكم بالإنابة مهامه، وأن الزيادة في الاحتياطات تعود إلى شراء الدولارات من السوق وإلى تحسن الإيرادات الجمركية المستوفاة بالدولار.",
            "ويعزو خبراء هذا الاستقرار إلى تراجع الكتلة النقدية بالليرة وإلى تدفق العملات الصعبة خلال موسم الاصطياف، لكنهم يحذرون من أن استمراره يبقى رهناً بإقرار الإصلاحات المالية والتشريعات المطلوبة.",
            "وكانت الليرة اللبنانية قد فقدت أكثر من خمسة وتسعين في المئة من قيمتها منذ بدء الأزمة في خريف 2019، ما أدى إلى تآكل الرواتب والمدخرات وارتفاع معدلات الفقر إلى مستويات غير مسبوقة.",
        ),
        published="2023-09-20T10:30:00+03:00", page_date="2023-09-20T10:30:00", date_form="time-naive",
        authors=("سامر نصر",), language="ar",
        summary="مصرف لبنان يعلن ارتفاعاً طفيفاً في احتياطاته بالعملات الأجنبية.",
        snippet="عند حدود تسعة وثمانين ألف ليرة",
    ),
    Article(
        source="alakhbar", path="/alakhbar/2023/09/18/3005",
        title="ارتفاع أسعار الذهب في الأسواق اللبنانية وتراجع الإقبال على الشراء",
        paragraphs=(
            "سجلت أسعار الذهب في الأسواق اللبنانية ارتفاعاً جديداً هذا الأسبوع، متأثرة بصعود سعر الأونصة في البورصات العالمية، فبلغ سعر غرام الذهب عيار واحد وعشرين قيراطاً نحو ثمانية وخمسين دولاراً.",
            "ويقول صاغة في سوق الذهب في بيروت إن حركة البيع تراجعت بشكل ملحوظ، وإن معظم الزبائن باتوا يقصدون المحال لبيع مصاغهم القديم لا للشراء، في ظل الضائقة الاقتصادية وارتفاع كلفة المعيشة.",
            "في المقابل، يلجأ بعض المدخرين إلى شراء السبائك والليرات الذهبية الصغيرة كوسيلة للادخار بعيداً عن المصارف، بعدما فقدوا الثقة بالقطاع المصرفي إثر احتجاز الودائع منذ عام 2019.",
            "ويتوقع متعاملون أن تبقى الأسعار مرتفعة في المدى القريب، في انتظار قرارات المصارف المركزية الكبرى بشأن أسعار الفائدة، والتي تشكل العامل الأبرز في تحديد اتجاه المعدن الأصفر.",
        ),
        published="2023-09-18T17:45:00+03:00", page_date="2023-09-18T17:45:00", date_form="time-naive",
        authors=("ليال حداد",), language="ar", encoding="cp1256",
        summary="أسعار الذهب ترتفع في لبنان والصاغة يشكون تراجع البيع.",
        snippet="سعر غرام الذهب عيار واحد وعشرين قيراطاً",
    ),
    Article(
        source="alakhbar", path="/alakhbar/2023/09/17/3006",
        title="موسم سياحي أفضل من المتوقع: نحو مليون وسبعمئة ألف وافد إلى لبنان",
        paragraphs=(
            "كشف وزير السياحة أن عدد الوافدين إلى لبنان منذ مطلع الصيف تجاوز مليوناً وسبعمئة ألف زائر، معظمهم من المغتربين اللبنانيين، ما أسهم في إدخال نحو سبعة مليارات دولار إلى الاقتصاد المحلي.",
            "وأشار إلى أن نسب إشغال الفنادق في بيروت وجبل لبنان لامست ثمانين في المئة خلال شهري تموز وآب، فيما شهدت المطاعم والمنتجعات البحرية والجبلية حركة ناشطة انعكست إيجاباً على فرص العمل الموسمية.",
            "غير أن أصحاب المؤسسات السياحية يشكون من ارتفاع كلفة التشغيل، ولا سيما فواتير المولدات والمحروقات، ومن غياب خطة رسمية لإطالة الموسم وجذب السياح العرب والأجانب خارج أشهر الصيف.",
            "ويأمل القطاع أن يساهم الاستقرار النسبي في سعر الصرف وعودة بعض شركات الطيران إلى تسيير رحلات مباشرة إلى بيروت في تحسين أرقام الموسم الشتوي المقبل.",
        ),
        published="2023-09-17T11:15:00+03:00", page_date="2023-09-17T11:15:00", date_form="time-naive",
        language="ar",
        summary="وزير السياحة: أكثر من مليون وسبعمئة ألف وافد منذ مطلع الصيف.",
        snippet="تجاوز مليوناً وسبعمئة ألف زائر",
    ),
]

# ---------------------------------------------------------------------------------------------------------
# broken — English, UTC. Its RSS feed is truncated XML; its home page (a section) is fine.
# ---------------------------------------------------------------------------------------------------------
BROKEN = [
    Article(
        source="broken", path="/broken/story/1",
        title="City council approves network of protected cycle lanes",
        paragraphs=(
            "The city council on Tuesday approved a plan to build 40 kilometres of protected cycle lanes over the next three years, connecting the university district, the central railway station and the harbour.",
            "Councillors voted 23 to 9 in favour after a three-hour debate. Supporters said the network would cut traffic and make streets safer for children cycling to school, while opponents warned that removing parking spaces would hurt small shops.",
            "The first stretch, along the river embankment, is due to open next spring. The council said it would publish detailed maps for public consultation before construction begins on each section.",
        ),
        published="2023-09-20T07:00:00+00:00", page_date="2023-09-20T07:00:00Z", date_form="jsonld",
        authors=("Helen Moss",), language="en",
        summary="Councillors back 40 km of protected cycle lanes.",
        snippet="40 kilometres of protected cycle lanes",
    ),
]

# ---------------------------------------------------------------------------------------------------------
# The multilingual outlets (Arabic and multilingual text, issue 3). Each is a trap for one of the ways
# today's tools get such outlets wrong; EXPECTED says what a correct crawl stores anyway.
#
# farsi — Persian, Asia/Tehran (+03:30; Iran has had no daylight saving time since 2022). RSS feed only, and
# the feed has no dates: the only date anywhere is the visible Solar Hijri text in Persian digits,
# "۲۹ شهریور ۱۴۰۲ - ۱۴:۳۵" = 20 September 2023 14:35 Tehran time. One article (7003) mixes in Arabic
# yeh/kaf (ي ك for ی ک), in its body, its title and its date line, as many Iranian sites do.
# Persian words are joined with ZWNJ (U+200C), written \u200c below.
# ---------------------------------------------------------------------------------------------------------
FARSI = [
    Article(
        source="farsi", path="/farsi/news/7001",
        title="سفر وزیر دفاع روسیه به تهران و دیدار با آشتیانی",
        paragraphs=(
            "سرگئی شویگو، وزیر دفاع روسیه، روز سه\u200cشنبه در رأس یک هیئت بلندپایه نظامی وارد تهران شد و در فرودگاه مهرآباد مورد استقبال مقام\u200cهای وزارت دفاع جمهوری اسلامی ایران قرار گرفت. این دومین سفر خارجی شویگو در چند هفته اخیر است.",
            "شویگو در دیدار با امیر سرتیپ محمدرضا آشتیانی، وزیر دفاع و پشتیبانی نیروهای مسلح، گفت همکاری نظامی مسکو و تهران به سطح تازه\u200cای رسیده و فشار تحریم\u200cها نتوانسته است مانع گسترش روابط دو کشور شود.",
            "آشتیانی نیز با اشاره به تحولات قفقاز جنوبی تأکید کرد که حفظ تمامیت ارضی کشورهای منطقه خط قرمز جمهوری اسلامی است و از سازوکار منطقه\u200cای «۳+۳» برای حل اختلاف\u200cها میان کشورهای همسایه حمایت کرد.",
            "وزیر دفاع روسیه در ادامه این سفر از نمایشگاه دستاوردهای نیروی هوافضای سپاه پاسداران بازدید کرد و در جریان آخرین توانمندی\u200cهای موشکی و پهپادی ایران قرار گرفت. کشورهای غربی پیش\u200cتر ایران را به ارسال پهپاد به روسیه متهم کرده بودند؛ اتهامی که تهران آن را رد می\u200cکند.",
        ),
        published="2023-09-20T14:35:00+03:30", page_date="۲۹ شهریور ۱۴۰۲ - ۱۴:۳۵", date_form="text",
        authors=("مریم احمدی",), language="fa",
        summary="وزیر دفاع روسیه در سفر به تهران با همتای ایرانی خود دیدار و گفت\u200cوگو کرد.",
        snippet="حفظ تمامیت ارضی کشورهای منطقه خط قرمز جمهوری اسلامی است",
    ),
    Article(
        source="farsi", path="/farsi/news/7002",
        title="شاخص کل بورس تهران در کانال دو میلیون واحد باقی ماند",
        paragraphs=(
            "شاخص کل بورس اوراق بهادار تهران در معاملات صبح امروز با افت نزدیک به هشت هزار واحدی همراه شد، اما همچنان در کانال دو میلیون واحد باقی ماند. ارزش معاملات خرد نیز نسبت به روز گذشته کاهش یافت و به حدود پنج هزار میلیارد ریال رسید.",
            "کارشناسان بازار سرمایه دلیل اصلی این افت را خروج نقدینگی حقیقی و نگرانی سرمایه\u200cگذاران از افزایش نرخ سود بین\u200cبانکی می\u200cدانند. به گفته آنان، تا زمانی که تکلیف قیمت\u200cگذاری دستوری در صنایع بزرگ روشن نشود، بازار در وضعیت انتظار باقی خواهد ماند.",
            "در میان گروه\u200cهای مختلف، نمادهای خودرویی و پالایشی بیشترین فشار فروش را تجربه کردند، در حالی که برخی شرکت\u200cهای دارویی و غذایی با تقاضای خرید روبه\u200cرو شدند. شاخص هم\u200cوزن نیز حدود نیم درصد کاهش یافت.",
            "سازمان بورس اعلام کرده است که بسته حمایتی تازه\u200cای برای افزایش عمق بازار در دست بررسی دارد و جزئیات آن پس از تصویب در شورای عالی بورس منتشر می\u200cشود.",
        ),
        # weekday and "ساعت" (o'clock) before the time, as many Iranian sites write it
        published="2023-09-20T09:10:00+03:30", page_date="چهارشنبه ۲۹ شهریور ۱۴۰۲ ساعت ۰۹:۱۰", date_form="text",
        language="fa",
        summary="شاخص کل بورس تهران با افت هشت هزار واحدی همچنان در کانال دو میلیون واحد ماند.",
        snippet="همچنان در کانال دو میلیون واحد باقی ماند",
    ),
    Article(
        # Arabic yeh (U+064A) and kaf (U+0643) mixed with Persian ی ک — in the title, the body and the month name
        # of the date line ("شهريور" with an Arabic yeh). Late evening in Tehran: 19:45 UTC the same day.
        source="farsi", path="/farsi/news/7003",
        title="هواشناسي: بارش باران و كاهش دما در استان\u200cهای شمالی كشور",
        paragraphs=(
            "سازمان هواشناسي كشور با صدور اطلاعیه\u200cای از ورود سامانه بارشی به شمال و شمال\u200cغرب ایران از روز جمعه خبر داد و اعلام كرد كه در استان\u200cهای گیلان، مازندران و گلستان بارش باران همراه با وزش باد شدید و كاهش محسوس دما پیش\u200cبینی می\u200cشود.",
            "به گفته كارشناسان این سازمان، دمای هوای تهران نیز از اواخر هفته حدود شش درجه كاهش می\u200cیابد و احتمال رگبار پراكنده در ارتفاعات البرز وجود دارد. ماهیگیران و شناورهای سبك در دریای خزر باید تا پایان هفته از تردد خودداری كنند.",
            "مدیریت بحران استان مازندران نیز از آماده\u200cباش گروه\u200cهای امدادی برای مقابله با آب\u200cگرفتگی معابر و طغیان رودخانه\u200cها خبر داد و از مسافران خواست پیش از سفر به شمال، آخرین وضعیت جاده\u200cها را از مركز مدیریت راه\u200cها پیگیری كنند.",
            "كارشناسان كشاورزی معتقدند بارش\u200cهای پاییزی امسال می\u200cتواند بخشی از كم\u200cآبی تابستان را جبران كند، هرچند خشكسالی چندساله همچنان ذخایر سدهای استان تهران را در وضعیت نگران\u200cكننده\u200cای نگه داشته است.",
        ),
        published="2023-09-19T23:15:00+03:30", page_date="۲۸ شهريور ۱۴۰۲ - ۲۳:۱۵", date_form="text",
        language="fa",
        summary="هواشناسي از بارش باران و كاهش دما در شمال كشور از روز جمعه خبر داد.",
        snippet="بارش باران همراه با وزش باد شدید و كاهش محسوس دما",
    ),
    Article(
        # 1 Mehr, the first day of the seventh month (months 1-6 have 31 days): 23 September 2023.
        source="farsi", path="/farsi/news/7004",
        title="بازگشایی مدارس در سراسر کشور با حضور بیش از شانزده میلیون دانش\u200cآموز",
        paragraphs=(
            "مدارس سراسر کشور امروز، نخستین روز مهرماه، با نواختن زنگ آغاز سال تحصیلی جدید بازگشایی شد و بیش از شانزده میلیون دانش\u200cآموز در مقاطع مختلف تحصیلی به کلاس\u200cهای درس بازگشتند.",
            "وزیر آموزش و پرورش در مراسمی که در یکی از دبستان\u200cهای جنوب تهران برگزار شد گفت کمبود معلم در برخی استان\u200cها با جذب نیروهای تازه از دانشگاه فرهنگیان و به\u200cکارگیری معلمان بازنشسته جبران خواهد شد.",
            "به گفته مسئولان این وزارتخانه، امسال حدود یک میلیون و دویست هزار نوآموز برای نخستین بار وارد پایه اول ابتدایی شده\u200cاند و کتاب\u200cهای درسی تا پایان هفته نخست مهر در اختیار همه دانش\u200cآموزان قرار می\u200cگیرد.",
            "پلیس راهور نیز با اعلام طرح ترافیکی ویژه بازگشایی مدارس از رانندگان خواست در ساعات آغاز و پایان کلاس\u200cها با احتیاط بیشتری در اطراف مدارس تردد کنند و از توقف دوبله در مقابل مدارس خودداری کنند.",
        ),
        published="2023-09-23T10:00:00+03:30", page_date="۱ مهر ۱۴۰۲ - ۱۰:۰۰", date_form="text",
        authors=("علی رضایی",), language="fa",
        summary="مدارس سراسر کشور با حضور بیش از شانزده میلیون دانش\u200cآموز بازگشایی شد.",
        snippet="با نواختن زنگ آغاز سال تحصیلی جدید بازگشایی شد",
    ),
]

# ---------------------------------------------------------------------------------------------------------
# bilingual — an outlet publishing Arabic and English ("بيروت نيوز"), Asia/Beirut; source language hint "ar".
# ONE RSS feed (<language>ar</language>) mixes Arabic and English items. <html lang> is right per article except
# 5004 (the CMS default "en" on an Arabic article). 5003 is a short English article whose every hint says "ar".
# Titles carry " - بيروت نيوز" in <title> and og:title; the page's <h1> is the logo (the headline is an <h2>).
# 5001's body ends with the credited source line "المصدر: وكالة الأنباء الوطنية".
# ---------------------------------------------------------------------------------------------------------
BILINGUAL = [
    Article(
        source="bilingual", path="/bilingual/news/5001",
        title="وزير الأشغال يطلق ورشة تأهيل طريق المطار قبل موسم الأمطار",
        paragraphs=(
            "أطلق وزير الأشغال العامة والنقل صباح اليوم ورشة إعادة تأهيل طريق مطار رفيق الحريري الدولي، بدءاً من المسلك الشرقي الممتد من مستديرة الكولا حتى مدخل المطار، على أن تُنجز الأعمال قبل بدء موسم الأمطار منتصف تشرين الثاني.",
            "وقال الوزير خلال جولة ميدانية إن المشروع يشمل تزفيت الطريق بالكامل وتأهيل شبكات تصريف مياه الأمطار وتركيب إنارة تعمل على الطاقة الشمسية، مشيراً إلى أن التمويل مؤمن من هبة مقدمة من إحدى الدول الصديقة.",
            "ودعا المواطنين إلى التقيد بالتحويلات المرورية التي ستعتمدها قوى الأمن الداخلي خلال ساعات العمل الليلية، معتذراً عن الإزعاج الذي قد تسببه الأعمال، ومؤكداً أن الورشة ستنتقل بعدها إلى طرق رئيسية أخرى في بيروت والضواحي.",
        ),
        published="2023-09-20T11:00:00+03:00", page_date="2023-09-20T11:00:00+03:00", date_form="jsonld",
        language="ar",
        summary="وزير الأشغال يطلق ورشة إعادة تأهيل طريق المطار.",
        snippet="تزفيت الطريق بالكامل وتأهيل شبكات تصريف مياه الأمطار",
        credited_source="وكالة الأنباء الوطنية",
    ),
    Article(
        source="bilingual", path="/bilingual/news/5002",
        title="Lebanon's summer season beats expectations, tourism minister says",
        paragraphs=(
            "BEIRUT - Lebanon welcomed more than 1.7 million visitors since the start of the summer, most of them Lebanese expatriates, the tourism minister said on Wednesday, bringing an estimated $7 billion into an economy battered by four years of financial crisis.",
            "Hotel occupancy in Beirut and Mount Lebanon reached about 80 percent in July and August, and restaurants and beach resorts reported brisk business, the minister told reporters after a meeting with industry representatives.",
            "Business owners warned, however, that high operating costs, particularly for private generators and fuel, were eroding their margins, and called on the government to develop a plan to attract Arab and foreign tourists outside the summer months.",
            "The relative stability of the Lebanese pound in recent months and the return of several airlines to Beirut have raised hopes for a better winter season.",
        ),
        published="2023-09-20T08:30:00+03:00", page_date="2023-09-20T08:30:00", date_form="og-naive",
        authors=("Nadim Haddad",), language="en",
        summary="More than 1.7 million visitors came to Lebanon this summer, the tourism minister says.",
        snippet="bringing an estimated $7 billion into an economy",
    ),
    Article(
        # Short, and every hint says "ar": html lang, og:locale, JSON-LD inLanguage, the feed, the source.
        source="bilingual", path="/bilingual/news/5003",
        title="Beirut airport flights back to normal after brief power outage",
        paragraphs=(
            "Flights at Beirut-Rafic Hariri International Airport returned to normal on Wednesday evening after a brief power outage delayed several departures, airport officials said, adding that backup generators operated throughout.",
        ),
        published="2023-09-20T16:10:00+03:00", page_date="2023-09-20T16:10:00+03:00", date_form="jsonld",
        language="en", html_lang="ar",
        summary="Flights at Beirut airport back to normal after a power outage.",
        snippet="after a brief power outage delayed several departures",
    ),
    Article(
        # Arabic text under the CMS defaults: <html lang="en">, og:locale en_US, JSON-LD inLanguage "en".
        source="bilingual", path="/bilingual/news/5004",
        title="ارتفاع سعر ربطة الخبز في لبنان بعد رفع الدعم عن القمح",
        paragraphs=(
            "أصدرت وزارة الاقتصاد والتجارة اللبنانية تسعيرة جديدة لربطة الخبز العربي، رفعت بموجبها سعر الربطة الكبيرة زنة تسعمئة غرام إلى ستين ألف ليرة، وذلك بعد قرار رفع الدعم بالكامل عن القمح المستورد.",
            "وأوضحت الوزارة أن التسعيرة الجديدة تأخذ في الاعتبار ارتفاع أسعار القمح عالمياً وكلفة المازوت والنقل، مؤكدة أن مراقبي مديرية حماية المستهلك سيكثفون جولاتهم على الأفران والمحال لضبط أي مخالفة في الوزن أو السعر.",
            "في المقابل، اعتبرت جمعيات أهلية أن القرار سيزيد من معاناة العائلات الفقيرة التي يشكل الخبز مادة أساسية في غذائها اليومي، مطالبة الحكومة بإيجاد آلية دعم مباشر للأسر الأكثر حاجة.",
        ),
        published="2023-09-19T13:45:00+03:00", page_date="2023-09-19T13:45:00+03:00", date_form="jsonld",
        authors=("رنا عيسى",), language="ar", html_lang="en",
        summary="وزارة الاقتصاد ترفع سعر ربطة الخبز بعد رفع الدعم عن القمح.",
        snippet="سعر الربطة الكبيرة زنة تسعمئة غرام",
    ),
]

# ---------------------------------------------------------------------------------------------------------
# legacy — an old Arabic CMS ("جريدة الكلمة"), Asia/Beirut. One section page, no feed, no metadata: no
# og/JSON-LD/<time>, no <html lang>, no canonical link; dates only as visible text (Arabic-Indic digits, written
# as numeric character references in the legacy-encoded pages, which have no such digits). Encodings:
#   4001 windows-1256 bytes, no charset anywhere (neither the Content-Type header nor a <meta>);
#   4002 ISO-8859-6 bytes whose <meta charset> says "utf-8" (wrong); 8859-6 has no Arabic-Indic digits;
#   4003 UTF-8 mojibake: the CMS stored UTF-8 text read as cp1256 and serves it re-encoded as UTF-8 (title,
#        body and summary garbled, "ط§ظ„ط¹ط±ط¨ظٹط©" for العربية; the template around them is fine);
#   4004 windows-1256 with its charset declared late, after 8 KB of inline script.
# EXPECTED holds the correct text in every case: mojibake is repaired, not stored.
# ---------------------------------------------------------------------------------------------------------
LEGACY = [
    Article(
        source="legacy", path="/legacy/news/4001.htm",
        title="بلدية صيدا تطلق حملة لتنظيف الشاطئ الجنوبي للمدينة",
        paragraphs=(
            "أطلقت بلدية صيدا بالتعاون مع جمعيات بيئية وكشفية حملة واسعة لتنظيف الشاطئ الجنوبي للمدينة، شارك فيها أكثر من ثلاثمئة متطوع جمعوا خلال ساعات الصباح أطناناً من النفايات البلاستيكية والزجاجية.",
            "وقال رئيس البلدية إن الحملة تأتي في إطار خطة لإعادة تأهيل الواجهة البحرية وتحويلها إلى متنفس عام لأبناء المدينة، داعياً المواطنين وأصحاب المقاهي إلى المحافظة على نظافة الشاطئ.",
            "وأشار ناشطون بيئيون إلى أن التيارات البحرية تحمل سنوياً كميات كبيرة من النفايات إلى شواطئ الجنوب، مطالبين بمعالجة جذرية لمشكلة المكبات العشوائية على مجاري الأنهر.",
        ),
        published="2023-09-20T10:45:00+03:00", page_date="الأربعاء ٢٠ أيلول ٢٠٢٣ - ١٠:٤٥", date_form="text",
        language="ar", html_lang=None, encoding="cp1256",
        summary="حملة لتنظيف الشاطئ الجنوبي لصيدا بمشاركة ثلاثمئة متطوع.",
        snippet="أكثر من ثلاثمئة متطوع جمعوا خلال ساعات الصباح",
    ),
    Article(
        # ISO-8859-6 has no Arabic-Indic digits: ASCII digits, and "م" (مساءً) for pm: 20:20.
        source="legacy", path="/legacy/news/4002.htm",
        title="انقطاع المياه عن أحياء في طرابلس بسبب أعطال في محطة الضخ",
        paragraphs=(
            "تشهد أحياء عدة في مدينة طرابلس انقطاعاً في المياه منذ ثلاثة أيام، بسبب أعطال طرأت على المضخات الرئيسية في محطة الضخ التابعة لمؤسسة مياه لبنان الشمالي، ما دفع السكان إلى شراء المياه من الصهاريج الخاصة بأسعار مرتفعة.",
            "وأوضحت المؤسسة في بيان أن فرقها الفنية تعمل على إصلاح الأعطال واستبدال قطع الغيار التالفة، متوقعة أن تعود المياه تدريجياً إلى المنازل خلال يومين، ومشيرة إلى أن انقطاع التيار الكهربائي المتكرر يزيد من الضغط على المحطات.",
            "وطالب أهالي المناطق المتضررة بحلول دائمة تضمن وصول المياه بانتظام، لا سيما مع استمرار ارتفاع درجات الحرارة وحاجة المدارس والمستشفيات إلى كميات كافية.",
        ),
        published="2023-09-19T20:20:00+03:00", page_date="الثلاثاء 19 أيلول 2023 - 8:20 م", date_form="text",
        language="ar", html_lang=None, encoding="iso-8859-6",
        summary="انقطاع المياه عن أحياء في طرابلس منذ ثلاثة أيام.",
        snippet="محطة الضخ التابعة لمؤسسة مياه لبنان الشمالي",
    ),
    Article(
        # The text is stored garbled by the CMS; a correct crawl stores it repaired. No Arabic-Indic digits in
        # the garbled parts: their UTF-8 bytes read as cp1256 give a no-break space, which whitespace cleanup eats.
        source="legacy", path="/legacy/news/4003.htm",
        title="العربية لغة رسمية في مؤتمر دولي للترجمة في بيروت",
        paragraphs=(
            "افتتح في بيروت المؤتمر الدولي للترجمة والتواصل الثقافي بمشاركة باحثين ومترجمين من اثنتي عشرة دولة، وقد اعتمدت العربية لغة رسمية للمؤتمر إلى جانب الإنكليزية والفرنسية.",
            "وناقش المشاركون في الجلسة الأولى واقع الترجمة الآلية من العربية وإليها، وأجمعوا على أن الأدوات الحديثة حققت تقدماً كبيراً لكنها ما زالت تخطئ في النصوص الأدبية والتراثية.",
            "ويختتم المؤتمر أعماله بعد غد بإعلان توصيات تتعلق بدعم مشاريع الترجمة وتأهيل المترجمين الشباب وإنشاء قاعدة بيانات مفتوحة للمصطلحات العلمية والتقنية.",
        ),
        published="2023-09-18T17:05:00+03:00", page_date="الاثنين ١٨ أيلول ٢٠٢٣ - ١٧:٠٥", date_form="text",
        language="ar", html_lang=None, encoding="mojibake",
        summary="مؤتمر دولي للترجمة في بيروت يعتمد العربية لغة رسمية.",
        snippet="بمشاركة باحثين ومترجمين من اثنتي عشرة دولة",
    ),
    Article(
        # The month written twice, Levantine and Egyptian ("أيلول/سبتمبر"), and "ص" (صباحاً) for am.
        source="legacy", path="/legacy/news/4004.htm",
        title="معرض للصناعات الحرفية في جبيل بمشاركة خمسين حرفياً",
        paragraphs=(
            "افتتح في سوق جبيل الأثري معرض للصناعات الحرفية التقليدية يستمر أسبوعاً، بمشاركة خمسين حرفياً من مختلف المناطق اللبنانية يعرضون منتجات من الفخار والنحاس والصابون البلدي والتطريز.",
            "وقالت منظمة المعرض إن الهدف هو دعم الحرفيين الذين تضرروا من الأزمة الاقتصادية وتراجع الحركة السياحية في السنوات الماضية، وتعريف الجيل الجديد بمهن مهددة بالاندثار.",
            "ويتضمن برنامج المعرض ورش عمل يومية للأطفال لتعليم أساسيات صناعة الفخار والرسم على الزجاج، إضافة إلى أمسيات موسيقية في ساحة السوق طوال أيام المعرض.",
        ),
        published="2023-09-19T09:30:00+03:00", page_date="الثلاثاء ١٩ أيلول/سبتمبر ٢٠٢٣ - ٠٩:٣٠ ص", date_form="text",
        language="ar", html_lang=None, encoding="cp1256",
        summary="معرض للصناعات الحرفية التقليدية في سوق جبيل الأثري.",
        snippet="بمشاركة خمسين حرفياً من مختلف المناطق اللبنانية",
    ),
]

# The "undated" variant: legacy after a redesign that lost its date line. Its pages show no date any more, and
# these new articles appear on its home page; nothing else dates them (no feed, no sitemap, no date in the URL),
# so a correct crawl stores them undated, and source health flags legacy for it (db.health).
LEGACY_UNDATED = [
    Article(
        source="legacy", path=f"/legacy/news/{number}.htm", title=title, paragraphs=paragraphs,
        published=None, page_date=None, date_form="none", language="ar", html_lang=None, encoding="cp1256",
        summary=summary, snippet=paragraphs[0][:60], variants=frozenset({"undated"}),
    )
    for number, title, summary, paragraphs in (
        ("4005", "المجلس البلدي في زحلة يقر خطة لتأهيل الطرق الداخلية", "خطة لتأهيل الطرق الداخلية في زحلة.", (
            "أقر المجلس البلدي في مدينة زحلة خلال جلسته الدورية خطة شاملة لتأهيل الطرق الداخلية في الأحياء القديمة، تشمل إعادة تعبيد الشوارع المتضررة وتركيب أعمدة إنارة تعمل بالطاقة الشمسية وتنظيف مجاري تصريف مياه الأمطار.",
            "وقال رئيس البلدية إن تمويل المرحلة الأولى مؤمن من موازنة البلدية ومن هبة قدمتها جهات مانحة، على أن تنطلق الأشغال بعد انتهاء المناقصة، داعياً السكان إلى التعاون مع الفرق الفنية خلال فترة العمل.",
            "ورحب تجار السوق بالقرار، معتبرين أن حالة الطرق انعكست سلباً على الحركة التجارية، وطالبوا بتنظيم مواقف السيارات في محيط السوق لتخفيف الازدحام الذي يشتد في نهاية كل أسبوع.",
        )),
        ("4006", "افتتاح مكتبة عامة جديدة في النبطية", "مكتبة عامة جديدة تفتح أبوابها في النبطية.", (
            "افتتحت في مدينة النبطية مكتبة عامة جديدة تضم آلاف الكتب في الأدب والتاريخ والعلوم، إضافة إلى قاعة للمطالعة وركن خاص بالأطفال ومختبر صغير للحاسوب مفتوح مجاناً أمام الطلاب والباحثين من أبناء المنطقة.",
            "وأوضحت إدارة المكتبة أن معظم الكتب جاءت تبرعات من أهالي المدينة ومن دور نشر لبنانية وعربية، وأن برنامجها يتضمن لقاءات شهرية مع كتاب وشعراء وورش عمل في الكتابة الإبداعية للشباب.",
            "وأشاد المشاركون في حفل الافتتاح بالمبادرة، مؤكدين أن المكتبات العامة باتت حاجة ملحة في ظل ارتفاع أسعار الكتب وتراجع قدرة العائلات على شرائها، ودعوا إلى تعميم التجربة على القرى المجاورة.",
        )),
        ("4007", "مزارعو التفاح في الشمال يشكون تراجع الأسعار", "مزارعو التفاح يطالبون بدعم تصريف الإنتاج.", (
            "يشكو مزارعو التفاح في قرى الشمال من تراجع حاد في أسعار محصولهم هذا الموسم، بسبب صعوبة التصدير وارتفاع كلفة النقل والتبريد، ما دفع كثيرين منهم إلى ترك الثمار على الأشجار بدل قطافها وبيعها بخسارة.",
            "وطالب تجمع المزارعين وزارة الزراعة بالتدخل لفتح أسواق خارجية جديدة وتأمين برادات بأسعار مقبولة، محذراً من أن استمرار الوضع على حاله سيدفع العائلات التي تعيش من الزراعة إلى هجرة أراضيها.",
            "من جهتها، أعلنت الوزارة أنها تعمل على اتفاق مع عدد من الدول العربية لتسهيل دخول المنتجات الزراعية اللبنانية، وأنها ستوزع على المزارعين صناديق للتوضيب وأسمدة بأسعار مدعومة.",
        )),
        ("4008", "جمعية أهلية تعلم كبار السن استخدام الهاتف الذكي", "دورات لكبار السن في استخدام الهاتف الذكي.", (
            "أطلقت جمعية أهلية في بيروت برنامجاً لتعليم كبار السن استخدام الهواتف الذكية، يشمل دروساً في إجراء مكالمات الفيديو مع الأبناء في المهجر وحجز المواعيد الطبية ودفع الفواتير والحماية من الرسائل الاحتيالية.",
            "وقالت منسقة البرنامج إن الإقبال فاق التوقعات، وإن الدورات تقام في مراكز الجمعية وفي بعض دور العبادة والنوادي، بمساعدة متطوعين من طلاب الجامعات يرافقون المشاركين خطوة خطوة.",
            "وعبر عدد من المشاركين عن سعادتهم بقدرتهم على التواصل مع أحفادهم من دون مساعدة أحد، فيما تسعى الجمعية إلى توسيع البرنامج ليشمل مناطق الجبل والجنوب بعد تأمين التمويل اللازم.",
        )),
        ("4009", "مهرجان للمسرح المدرسي في بعلبك", "طلاب المدارس يقدمون عروضاً مسرحية في بعلبك.", (
            "انطلق في مدينة بعلبك مهرجان المسرح المدرسي بمشاركة فرق من عشرين مدرسة رسمية وخاصة، تقدم عروضاً تتناول قضايا البيئة والتنمر والعلاقة بين الأجيال، أمام لجنة تحكيم من أساتذة المسرح والممثلين المحترفين.",
            "وقال منظمو المهرجان إن الهدف هو اكتشاف المواهب الشابة وتشجيع المدارس على إدخال المسرح في نشاطاتها، مشيرين إلى أن الفرق الفائزة ستقدم عروضها في العاصمة على خشبة أحد المسارح المعروفة.",
            "وامتلأت القاعة بالأهالي والطلاب الذين تفاعلوا مع العروض، فيما أقيم على هامش المهرجان معرض لملصقات المسرحيات وأزيائها التي صممها الطلاب بأنفسهم بإشراف معلمي الفنون.",
        )),
        ("4010", "الصليب الأحمر ينظم حملة للتبرع بالدم في صور", "حملة للتبرع بالدم في مدينة صور.", (
            "نظم الصليب الأحمر اللبناني حملة للتبرع بالدم في مدينة صور بالتعاون مع البلدية وعدد من الأندية الرياضية، شارك فيها مئات المتطوعين الذين توافدوا إلى مراكز التبرع المنتشرة في ساحات المدينة.",
            "وأوضح مسؤول بنك الدم في المنطقة أن المخزون تراجع في الأشهر الماضية إلى مستويات مقلقة، وأن الحملة تهدف إلى تأمين حاجات المستشفيات ومرضى التلاسيميا الذين يحتاجون إلى نقل الدم بانتظام.",
            "ودعا الصليب الأحمر المواطنين إلى التبرع بشكل دوري وعدم انتظار الحالات الطارئة، مذكراً بأن وحدة الدم الواحدة قد تنقذ حياة أكثر من مريض، وبأن عملية التبرع آمنة ولا تستغرق وقتاً طويلاً.",
        )),
    )
]

MULTILINGUAL_SOURCES = ("farsi", "bilingual", "legacy")


def mojibake(text: str) -> str:
    """What a broken CMS makes of UTF-8 text: its bytes read as windows-1256 ("العربية" -> "ط§ظ„ط¹ط±ط¨ظٹط©")."""
    return text.encode("utf-8").decode("cp1256")


ALL_ARTICLES: list[Article] = ALMANAR + WIRE + ALAKHBAR + BROKEN + FARSI + BILINGUAL + LEGACY + LEGACY_UNDATED
SOURCE_NAMES = ("almanar", "wire", "alakhbar", "broken", *MULTILINGUAL_SOURCES, "offline")


def articles(source: str | None = None, variant: str = "base") -> list[Article]:
    """The articles that exist in ``variant``, optionally for one source."""
    return [a for a in ALL_ARTICLES
            if variant in a.variants and (source is None or a.source == source)]


def body(article: Article, variant: str) -> tuple[str, ...]:
    """The paragraphs a page shows, with the closing "المصدر: …" line when the article credits a source."""
    paragraphs = article.paragraphs
    if variant == "updated" and article.update is not None:
        paragraphs = (article.update.paragraph,) + paragraphs
    if article.credited_source:
        paragraphs = paragraphs + (f"المصدر: {article.credited_source}",)
    return paragraphs


def modified(article: Article, variant: str) -> str | None:
    if variant == "updated" and article.update is not None:
        return article.update.modified
    return article.modified


def expected(variant: str = "base") -> dict[str, list[dict]]:
    """Per source, the articles a correct crawl of ``variant`` stores."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; known: {', '.join(VARIANTS)}")
    out: dict[str, list[dict]] = {name: [] for name in SOURCE_NAMES}
    for a in articles(variant=variant):
        out[a.source].append({
            "path": a.path,
            "title": a.title,
            "published": a.published,
            "language": a.language,
            "authors": list(a.authors),
            **({"credited_source": a.credited_source} if a.credited_source else {}),
        })
    return out


# path -> a phrase the stored body must contain (all EXPECTED paths, any variant)
SNIPPETS: dict[str, str] = {a.path: a.snippet for a in ALL_ARTICLES}
