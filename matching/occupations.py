"""Suggest occupations of the national classification (职业分类大典 2022) for typed job-opening titles.

Enterprises type titles the way job boards write them ("急招氩弧焊工（包吃住）8千"); the classification
names occupations in its own wording ("焊工"). `suggest_occupations` bridges the two: it strips the noise a
job board adds, adds the classification's wording for common job-board words (a hand-written synonym
table), and ranks the level-4 occupations (细类) by character n-gram TF-IDF similarity to what the
classification says about each: its name and aliases, its definition and tasks, and the names of the
groups above it (小类, 中类).

Every label row of the index (an occupation's name or one of its aliases) carries a weighted sum of three
unit vectors: the label, the occupation's own text and its parents' names. The dot product of a unit query
vector with such a row is the same weighted sum of three cosines, so one sparse top-n product scores all
fields at once, and the best label of each occupation is its score. Weights sum to one, so scores lie in
[0, 1].
"""

from __future__ import annotations

import csv
import functools
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sparse_dot_topn import sp_matmul_topn

DATA_DIR = Path(__file__).resolve().parent / "data"
CLASSIFICATION_CSV = DATA_DIR / "csco22.csv"
EVAL_CSV = DATA_DIR / "occupation_eval.csv"

# Field weights of a score (they sum to one). On the dev split, top-1 moves by less than three points for
# label weights from 0.45 to 0.8, so these are round values from the middle of that plateau.
LABEL_WEIGHT = 0.60
TEXT_WEIGHT = 0.25
PARENT_WEIGHT = 0.15
# Aliases are job-board strings of uneven quality; the official name is a slightly stronger witness.
ALIAS_DISCOUNT = 0.9
# Weight of the synonym table's wording relative to the title's own words in a query; dev top-1 peaks on a
# plateau from 0.5 to 0.85 and falls off at 0.3 (wording too weak) and at 1.0 and above (title drowned out).
SYNONYM_WEIGHT = 0.7
# A suggestion below this score shares little more than a common character with the title.
MIN_SCORE = 0.05

# Measured on the dev split (157 titles, see `evaluate`), top-1: char_wb (1, 3) 0.975, char (1, 3) 0.962,
# char (1, 2) 0.955, char_wb (1, 2) 0.949, char_wb (2, 3) 0.949, char (2, 3) 0.936; top-5 is 0.99-1.00 for all.
# char_wb (1, 3) wins by two titles over char: its word-boundary n-grams reward a title whose words start or
# end like an occupation's name. Unigrams matter because many names differ by one character (车工, 铣工).
ANALYZER = "char_wb"
NGRAM_RANGE = (1, 3)

# Aliases in csco22.csv that contradict the definitions: each goes to the occupation whose definition
# describes the work (None drops it). Checked one by one against the definitions in the file.
ALIAS_FIXES: dict[str, str | None] = {
    "注塑工": "6-14-02-00",  # operates injection moulding machines; 模具工 makes and repairs the moulds
    "消防中控员": "4-07-05-03",  # watches the fire control room; 消防监督检查员 is the public inspector
    "消防维保员": "4-07-05-03",  # maintains fire equipment
    "救生员": "4-14-05-03",  # lifeguard at a pool, not an emergency rescuer
    "吊车司机": "6-30-05-01",  # drives the crane; 起重工 rigs loads and signals to the crane
    "行李员": "4-03-01-01",  # hotel bell staff carry guests' luggage as part of front-office service
    "收货员": "4-02-06-02",  # checks goods in, a tally clerk's task
    "汽车电工": "4-12-01-01",  # repairs a car's electrics, part of car repair
    "物业机电维修工": "6-31-01-10",
    "物业维修员": "6-31-01-10",
    "站务人员": "4-02-01-07",
    "纸样师/车板工": "6-05-01-01",  # a garment pattern maker, not a paper maker
    "船务/空运陆运操作": "4-02-05-03",
    "阿里国际站运营": "4-01-06-01",
    "团购业务员": "4-01-02-01",
    "财务主管/总账主管": "2-06-03-00",
    "内外饰工程师": "2-02-07-11",
    "安防系统工程师": "2-02-28-01",
    "针织工": None,  # knitting, not weaving; which knitting trade is unknown
    "汽车喷漆": None,
    "汽车改装": None,
    "有线传输工程师": None,
    "系统安全": None,
    "风控": None,
    "风控算法": None,
    "营业部大堂经理": None,
    "电商产品经理": None,
    "投料": None,
    "抛光工": None,  # polishing is neither spraying nor spray welding
}

# Job-board words and the classification's wording for them, appended to a title that contains one.
SYNONYMS: tuple[tuple[tuple[str, ...], str], ...] = (
    # machining, welding, forming
    (("电焊", "焊接", "氩弧焊", "二保焊", "气保焊", "点焊", "满焊"), "焊工"),
    (("数控车", "车床", "车削"), "车工"),
    (("数控铣", "铣床", "铣削"), "铣工"),
    (("磨床", "平磨", "外圆磨"), "磨工"),
    (("cnc", "加工中心", "数控操机", "cnc操机"), "多工序数控机床操作调整工"),
    (("线切割", "慢走丝", "快走丝", "火花机"), "电切削工"),
    (("冲床", "折弯", "冲压"), "冲压工"),
    (("注塑", "吹塑", "吹瓶", "挤出机", "吸塑"), "塑料制品成型制作工"),
    (("喷漆", "喷涂", "喷粉", "喷塑"), "涂装工"),
    (("电镀",), "镀层工"),
    (("压铸", "翻砂"), "铸造工"),
    (("机修", "设备维修", "设备维护"), "机修钳工 机电设备维修工"),
    (("质检", "品检", "品管", "品控", "qc", "qa", "检验员"), "质检员"),
    (("化验",), "化学检验员"),
    (("smt", "贴片", "插件", "焊锡", "电子厂"), "电子设备装接工"),
    (("电子调试", "电子产品调试"), "电子设备调试工"),
    (("机械装配", "机器装配", "设备装配"), "装配钳工"),
    (("汽车装配", "整车装配", "汽车总装"), "汽车装调工"),
    (("dcs", "化工中控"), "化工总控工"),
    (("锂电", "电芯"), "电池制造工"),
    (("包装工", "打包员"), "包装工"),
    (("普工", "操作工", "生产工人", "流水线"), "操作工"),
    # electrical and building services
    (("水电工", "维修电工", "高压电工", "低压电工", "电工证"), "电工"),
    (("电梯",), "电梯安装维修工"),
    (("光伏电站", "光伏运维"), "光伏发电运维值班员"),
    (("风电", "风机运维"), "风力发电运维值班员"),
    (("宽带", "光纤", "装维"), "信息通信网络线务员"),
    (("电池维修", "动力电池"), "电池及电池系统维修保养师"),
    (("空调", "冷库安装", "制冷维修"), "制冷空调系统安装维修工"),
    (("中央空调",), "中央空调系统运行操作员"),
    (("空调器", "空调厂"), "空调器制造工"),
    (("家电维修",), "家用电器产品维修工"),
    (("电脑维修",), "计算机维修工"),
    # logistics and driving
    (("叉车", "行车工", "天车", "龙门吊", "塔吊", "吊车"), "起重装卸机械操作工"),
    (("挖机", "挖掘机", "装载机", "推土机", "压路机"), "挖掘铲运和桩工机械司机"),
    (("仓管", "库管", "仓库"), "仓储管理员"),
    (("分拣", "拣货", "配货"), "理货员"),
    (("装卸", "搬运", "装车", "卸货", "卸车"), "装卸搬运工"),
    (("快递", "派件", "揽件", "收派"), "快递员"),
    (("外卖", "骑手", "跑腿"), "网约配送员"),
    (("司机", "驾驶", "驾照", "a照", "b照", "c照"), "汽车驾驶员"),
    (("货车", "货运", "大货", "半挂", "挂车", "重卡", "冷链", "配送司机", "a2", "b2"), "道路货运汽车驾驶员"),
    (("危险品", "危化品", "危货"), "危险货物运输作业员"),
    (("客车", "大巴", "公交", "班车", "网约车", "出租车", "商务车", "校车", "a1", "a3"), "客运车辆驾驶员"),
    (("驾校", "教练车"), "机动车驾驶教练员"),
    (("加油", "充电站"), "油气电站操作员"),
    # retail and sales
    (("店员", "导购", "营业员", "售货员", "专柜", "柜姐"), "商品营业员"),
    (("药店营业员", "药店店员", "药品销售", "医药销售"), "医药商品购销员"),
    (("保险", "寿险", "车险"), "保险代理人"),
    (("柜员",), "银行综合柜员"),
    (("收银",), "收银员"),
    (("业务员", "电销", "电话销售", "地推"), "营销员"),
    (("店长",), "连锁经营管理师"),
    (("采购",), "采购员"),
    (("电商", "淘宝", "天猫", "拼多多", "亚马逊", "跨境", "网店"), "电子商务师"),
    (("直播", "主播", "带货"), "互联网营销师"),
    (("新媒体", "抖音", "短视频", "小红书", "公众号"), "全媒体运营师"),
    (("房产", "置业", "中介", "链家", "贝壳找房"), "房地产经纪人"),
    # catering and hospitality
    (("厨师", "厨工", "帮厨", "炒锅", "砧板", "打荷", "后厨", "大厨", "切配", "凉菜", "炒菜"), "中式烹调师"),
    (("面点", "包点", "白案"), "中式面点师"),
    (("西点", "烘焙", "蛋糕", "面包", "甜品"), "西式面点师 糕点面包烘焙师"),
    (("西餐", "牛排", "披萨"), "西式烹调师"),
    (("传菜", "点菜", "楼面", "跑堂", "餐饮服务"), "餐厅服务员"),
    (("奶茶", "茶饮", "饮品"), "调饮师"),
    (("咖啡",), "咖啡师"),
    (("调酒",), "调酒师"),
    (("茶艺",), "茶艺师"),
    (("礼宾", "门童", "总台"), "前厅服务员"),
    # care, health, beauty
    (("护工", "陪护", "陪诊"), "医疗护理员"),
    (("养老", "敬老院", "老人护理", "失能"), "养老护理员"),
    (("月嫂", "保姆", "育儿嫂", "家政", "钟点工"), "家政服务员"),
    (("育婴", "托育", "保育"), "保育师"),
    (("早教",), "婴幼儿发展引导员"),
    (("幼师", "幼教", "幼儿园老师", "幼儿老师"), "幼儿园教师"),
    (("手术室",), "外科护士"),
    (("口腔护士", "牙科护士"), "口腔科护士"),
    (("按摩", "推拿", "spa", "理疗"), "保健按摩师"),
    (("足疗", "足浴"), "修脚师 保健按摩师"),
    (("美容", "皮肤管理", "美体"), "美容师"),
    (("美发", "发型", "理发", "剪发", "烫染", "洗头"), "美发师"),
    (("美甲", "美睫"), "美甲师"),
    (("跟妆", "新娘化妆", "造型师"), "形象设计师"),
    (("宠物美容", "宠物洗护"), "宠物美容师"),
    (("放射科技", "ct技师", "影像技术"), "影像技师"),
    (("婚礼主持", "司仪", "年会主持"), "礼仪主持人"),
    (("开锁", "配钥匙", "换锁"), "锁具修理工"),
    (("健身", "私教", "教练"), "社会体育指导员"),
    # IT and office
    (("程序员", "码农", "编程"), "计算机程序设计员"),
    (("前端", "安卓", "android", "ios", "小程序"), "计算机程序设计员"),
    (("java", "python", "php", "c++", "golang", ".net", "后端", "软件开发", "软件工程师"), "计算机软件工程技术人员"),
    (("软件测试", "测试工程师"), "计算机软件测试员"),
    (("it运维", "linux", "系统运维", "桌面运维", "服务器"), "信息系统运行维护工程技术人员"),
    (("网管", "网络管理"), "信息通信网络运行管理员"),
    (("数据标注", "标注员"), "人工智能训练师"),
    (("剪辑",), "剪辑师"),
    (("平面设计", "美工"), "装潢美术设计师"),
    (("客服", "话务", "在线咨询"), "呼叫中心服务员"),
    (("客服主管", "客服经理", "客服组长"), "客户服务管理员"),
    (("会计", "出纳", "财务", "记账", "做账", "核算"), "会计专业人员"),
    (("税务", "报税"), "涉税服务专业人员"),
    (("文员", "文秘", "内勤", "办公室"), "秘书"),
    (("人事", "hr", "人力资源"), "企业人力资源管理师"),
    # construction
    (("瓦工", "泥工", "泥瓦", "砌砖", "砌墙"), "砌筑工"),
    (("钢筋",), "钢筋工"),
    (("混凝土", "砼"), "混凝土工"),
    (("装修", "刷漆", "乳胶漆", "腻子", "贴砖", "瓷砖", "美缝", "吊顶"), "装饰装修工"),
    (("监理",), "监理工程技术人员"),
    (("搅拌站",), "预拌混凝土生产工"),
    (("石材", "大理石", "花岗岩"), "石材生产工"),
    (("测量员", "测绘"), "工程测量员"),
    (("造价", "预算员"), "工程造价工程技术人员"),
    (("门窗", "幕墙"), "建筑门窗幕墙安装工"),
    # security, cleaning, grounds
    (("保安", "门卫", "门岗", "巡逻", "秩序维护"), "保安员"),
    (("保洁", "清洁", "卫生员", "环卫"), "保洁员"),
    (("消防中控", "消控", "中控室"), "消防设施操作员"),
    (("安检",), "安检员"),
    (("消杀", "除四害", "灭鼠", "白蚁"), "有害生物防制员"),
    (("绿化", "园林", "苗木"), "园林绿化工"),
    # cars
    (("汽修", "汽车维修", "汽车保养", "修车", "快修", "洗车", "贴膜", "钣喷", "钣金"), "汽车维修工"),
    # farming
    (("养猪", "养牛", "养羊", "奶牛", "挤奶", "饲养"), "家畜饲养员"),
    (("养鸡", "养鸭", "蛋鸡", "肉鸡", "家禽"), "家禽饲养员"),
    (("水产养殖", "养鱼", "养虾", "鱼塘"), "水生动物饲养工"),
    (("大棚", "蔬菜种植", "果树", "种植"), "园艺工 农艺工"),
    (("农机", "拖拉机", "收割机"), "农机驾驶操作员"),
    (("植保", "打药"), "农作物植保员"),
    (("制茶", "茶厂"), "茶叶加工工"),
    (("剖鱼", "杀鱼"), "水产品原料处理工"),
    (("蘑菇", "食用菌"), "食用菌生产工"),
)

# Words a job board adds that never name an occupation. Longest first, so "包吃住" goes before "包吃".
_NOISE_TEXT = """
        急招 急聘 诚聘 诚招 高薪 热招 直招 急需 急缺 火急 紧急 聘请 招募 招工
        包吃住 包吃 包住 包食宿 提供食宿 食宿 五险一金 五险 六险 社保 缴纳
        双休 单休 大小周 长白班 白班 夜班 两班倒 倒班 做六休一 月休 节假日
        提成 底薪 奖金 年终奖 加班费 补贴 带薪 可培训 培训上岗 无需经验 无经验
        经验不限 学历不限 男女不限 限男 限女 退伍军人优先 优先 应届生 应届 毕业生
        实习生 实习 见习 校招 社招 兼职 全职 临时工 小时工 暑假工 寒假工
        日结 周结 月结 正式工 合同工 派遣 长期 短期 稳定 轻松 面议 待遇
        过万 上万 破万 若干 数名 多名 名额有限 高级 中级 初级 资深 储备 学徒 熟练工 熟手 岗位 职位
        全国 异地 本地 同城 周边 附近 市区 郊区 工业园 开发区 高新区
        """
_NOISE_WORDS = sorted(set(_NOISE_TEXT.split()), key=len, reverse=True)
# "招聘" is noise except in the recruiter's own title (招聘专员 and the like).
_RECRUIT = re.compile(r"招聘(?!专员|主管|经理|师|助理|顾问|官)")
_COMPANY = re.compile(r"\S{1,24}?(?:有限责任公司|股份有限公司|有限公司|分公司|公司|集团)")
_PER = r"(?:\s*/?\s*(?:月|天|日|小时|时|年))?(?:以上|起|左右)?"
_PAY_RANGE = re.compile(r"\d+(?:\.\d+)?\s*[kw千万]?\s*[-~至到]\s*\d+(?:\.\d+)?\s*[kw千万]?\s*(?:元|块)?" + _PER)
_PAY = re.compile(r"\d+(?:\.\d+)?\s*(?:k|w|千|万|元|块)" + _PER)
_PAY_WORDS = re.compile(r"(?:月薪|年薪|底薪|保底|综合薪资|薪资|薪水|工资|时薪|日薪|月入|收入)(?:\d[\d.]*)?")
_AGE = re.compile(r"\d{2}\s*(?:[-~至到]\s*\d{2}\s*)?(?:周岁|岁)(?:以下|以上)?")
_HEADCOUNT = re.compile(r"(?:\d+|[一二两三四五六七八九十几数多]+)\s*(?:名|人|位)|\d{2,4}\s*届")
# A driving-licence class names the vehicle, so it survives the removal of codes.
_LICENCES = {"a1", "a2", "a3", "b1", "b2", "c1", "c2"}
_KEPT_CODES = _LICENCES | {"4s", "3d", "5g"}
_CODE = re.compile(r"[a-z]*\d[a-z\d]*")
_SHIFTS = re.compile(r"(?:月休|休)\s*\d+\s*天|做\s*\d+\s*休\s*\d+")
# Keeps the characters of "c++", "c#" and ".net"; everything else that is not a letter or digit is a break.
_PUNCTUATION = re.compile(r"[^\w+#.]|_|\.(?!net)")
# A leading 招 ("招焊工") is a hiring verb, unless it starts 招商, 招标, 招生 or the recruiter's 招聘.
_HIRING_PREFIX = re.compile(r"(?:^|(?<=\s))招(?!商|标|生|聘)")
# Single characters that are noise only when they stand alone, as in "（急）" or "(男)".
_NOISE_TOKENS = {"急", "招", "聘", "男", "女", "人", "名", "天", "元", "起", "及", "和", "或", "等", "可", "包", "熟"}
_SPACES = re.compile(r"\s+")
# A token worth keeping has a letter or a Chinese character; a stray "+" or "." is not one.
_WORDLIKE = re.compile(r"[a-z\u4e00-\u9fff]")
# Short forms of these places are also words of job titles (三明治, 白银交易员, 普洱茶).
_PLACE_WORDS_KEPT = {"三明", "白银", "普洱", "中山", "和田", "阿里", "大理", "保定", "日照"}
_ADMIN_SUFFIX = re.compile(r"(?:特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|地区|省|市|盟)$")
_ETHNIC = re.compile(
    r"(?:藏族|羌族|土家族|苗族|彝族|朝鲜族|蒙古族|蒙古|布依族|傈僳族|回族|白族|壮族|哈尼族|傣族|景颇族|侗族|哈萨克|柯尔克孜)+$"
)
_COUNTY_SUFFIX = re.compile(r"(?:自治县|自治旗|新区|区|县|市|旗)$")
_MAX_PLACE_LENGTH = 12
# The S/L marker follows a Chinese character; "IOS" or "SQL" in an alias is not a marker.
_MARKER = re.compile(r"(?<=[\u4e00-\u9fff])(?:L/S|S|L)$")


@dataclass(frozen=True)
class _Index:
    """Everything a query needs: the vectorizer, the stacked label rows and whom each row belongs to."""

    codes: tuple[str, ...]
    names: tuple[str, ...]
    vectorizer: TfidfVectorizer
    rows_t: sp.csr_matrix  # (features x label rows), the right-hand side of the product
    owners: np.ndarray  # label row -> occupation index
    max_rows_per_owner: int


@dataclass(frozen=True)
class _Occupation:
    """One level-4 occupation as the index reads it; `text` is name, definition and tasks together."""

    code: str
    name: str
    aliases: tuple[str, ...]
    text: str
    parents: str


_index: _Index | None = None
_index_lock = threading.Lock()


def _strip_marker(name: str) -> str:
    """Drop the S/L (digital/green) marker: it is a flag of the classification, not part of the name."""
    return _MARKER.sub("", name.strip())


def _short_place(name: str) -> str:
    """ "深圳市" -> "深圳", "延边朝鲜族自治州" -> "延边": the form titles use."""
    return _ETHNIC.sub("", _ADMIN_SUFFIX.sub("", name))


@functools.cache
def _place_names() -> tuple[frozenset[str], frozenset[str]]:
    """Place names from the cpca table, read without importing cpca (which pulls in pandas).

    Returns (names removed wherever they occur, names removed only as a whole word). Provinces and
    prefecture-level cities go in the first set, full and short; counties go there only in full form
    ("宝安区"), because many short county names are ordinary words ("和平", "公安") unless they stand alone.
    """
    anywhere: set[str] = {"北上广深", "珠三角", "长三角"}
    whole: set[str] = set()
    dist = metadata.distribution("cpca")
    for file in dist.files or ():
        if file.name != "adcodes.csv":
            continue
        with Path(dist.locate_file(file)).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                name = row["name"]
                if "行政区划" in name or len(name) < 2:
                    continue
                anywhere.add(name)
                if row["adcode"][4:6] == "00":  # a province or a prefecture-level city
                    short = _short_place(name)
                    if len(short) >= 2 and short not in _PLACE_WORDS_KEPT:
                        anywhere.add(short)
                else:
                    whole.add(_COUNTY_SUFFIX.sub("", name))
    return frozenset(anywhere), frozenset(w for w in whole if len(w) >= 2) | frozenset(anywhere)


def _cut_places(token: str, places: frozenset[str]) -> str:
    """Replace every place name inside a token by a space, longest match first."""
    pieces: list[str] = []
    position = 0
    while position < len(token):
        for size in range(min(_MAX_PLACE_LENGTH, len(token) - position), 1, -1):
            if token[position : position + size] in places:
                pieces.append(" ")
                position += size
                break
        else:
            pieces.append(token[position])
            position += 1
    return "".join(pieces)


def _remove_places(text: str) -> str:
    """Remove place names: a place is noise in a title, and its characters match unrelated occupations."""
    anywhere, whole = _place_names()
    cut = " ".join(_cut_places(token, anywhere) for token in text.split() if token not in whole)
    return " ".join(token for token in cut.split() if token not in whole)


def clean_title(title: str) -> str:
    """The words of a job-board title that can name an occupation, separated by single spaces.

    Removes company names, urgency and perk words, pay, ages, head counts, codes, places, level words and
    punctuation; brackets become spaces, so a bracketed "（急）" or "【深圳】" disappears with its content.
    """
    text = unicodedata.normalize("NFKC", title or "").lower()
    for pattern in (_AGE, _PAY_RANGE, _PAY, _PAY_WORDS, _HEADCOUNT, _SHIFTS):
        text = pattern.sub(" ", text)
    text = _PUNCTUATION.sub(" ", text)
    text = _RECRUIT.sub(" ", text)
    text = _COMPANY.sub(" ", text)
    text = _CODE.sub(lambda match: match.group() if match.group() in _KEPT_CODES else " ", text)
    text = _remove_places(text)
    for word in _NOISE_WORDS:
        text = text.replace(word, " ")
    text = _HIRING_PREFIX.sub(" ", text)
    return " ".join(token for token in text.split() if token not in _NOISE_TOKENS and _WORDLIKE.search(token))


@functools.cache
def _synonym_lookup() -> tuple[dict[str, tuple[int, ...]], int]:
    """Each job-board word of SYNONYMS with the positions of its rules, and the longest word's length."""
    lookup: dict[str, list[int]] = {}
    for position, (words, _) in enumerate(SYNONYMS):
        for word in words:
            lookup.setdefault(word, []).append(position)
    return {word: tuple(positions) for word, positions in lookup.items()}, max(map(len, lookup))


def synonym_wording(cleaned: str) -> str:
    """The classification's wording for the job-board words in a cleaned title ("" if none).

    The longest job-board word wins where words overlap: "客服主管" asks for the service manager, not
    also for the call-centre agent of "客服". Substrings are looked up in a dictionary rather than every
    word of every rule tested against the title, which keeps 6,000 titles fast.
    """
    lookup, longest = _synonym_lookup()
    matches = [
        (start, end, lookup[cleaned[start:end]])
        for start in range(len(cleaned))
        for end in range(start + 1, min(len(cleaned), start + longest) + 1)
        if cleaned[start:end] in lookup
    ]
    hits = {
        position
        for start, end, positions in matches
        if not any(s <= start and end <= e and (s, e) != (start, end) for s, e, _ in matches)
        for position in positions
    }
    wording: list[str] = []
    for position in sorted(hits):
        target = SYNONYMS[position][1]
        if target not in wording and target not in cleaned:
            wording.append(target)
    return " ".join(wording)


def _read_classification(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _split_aliases(raw: str) -> list[str]:
    return [alias.strip() for alias in raw.split(",") if alias.strip()]


def _occupations(rows: Sequence[dict[str, str]]) -> list[_Occupation]:
    """Level-4 occupations with their aliases (fixed per ALIAS_FIXES), own text and parents' names.

    The level comes from the `level` column: 94 level-4 codes end in -00 like a group code. Two codes
    appear twice in the file; the first row wins.
    """
    groups = {row["code"]: row for row in rows if row["level"] in {"2", "3"}}
    level4 = {}
    for row in rows:
        if row["level"] == "4" and row["code"] not in level4:
            level4[row["code"]] = row
    moved: dict[str, list[str]] = {}
    for row in level4.values():
        for alias in _split_aliases(row["alias"]):
            target = ALIAS_FIXES.get(alias, row["code"])
            if alias in ALIAS_FIXES and target is not None:
                moved.setdefault(target, []).append(alias)
    result = []
    for code, row in level4.items():
        name = _strip_marker(row["name"])
        aliases = [_strip_marker(a) for a in _split_aliases(row["alias"]) if a not in ALIAS_FIXES]
        aliases += moved.get(code, [])
        aliases = list(dict.fromkeys(a for a in aliases if a and a != name))
        parent_codes = (code[:8] + "00", code[:5] + "00-00")
        parents = []
        for parent_code in parent_codes:
            group = groups.get(parent_code)
            if group is not None and parent_code != code:
                parents.append(_strip_marker(group["name"]))
                parents += _split_aliases(group["alias"])
        result.append(
            _Occupation(
                code=code,
                name=name,
                aliases=tuple(aliases),
                text=" ".join([name, row["definition"], row["tasks"]]),
                parents=" ".join(dict.fromkeys(parents)),
            )
        )
    return result


def _label_text(label: str) -> str:
    """A label as the vectorizer sees a title: lower-cased, slashes and brackets as word breaks."""
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", unicodedata.normalize("NFKC", label).lower())).strip()


def _build_index(path: Path = CLASSIFICATION_CSV) -> _Index:
    """Fit the vectorizer on all the classification's text and stack one weighted row per label."""
    occupations = _occupations(_read_classification(path))
    labels: list[str] = []
    owners: list[int] = []
    label_weights: list[float] = []
    for position, occupation in enumerate(occupations):
        for rank, label in enumerate((occupation.name, *occupation.aliases)):
            labels.append(_label_text(label))
            owners.append(position)
            label_weights.append(LABEL_WEIGHT * (1.0 if rank == 0 else ALIAS_DISCOUNT))
    texts = [_label_text(o.text) for o in occupations]
    parents = [_label_text(o.parents) for o in occupations]
    vectorizer = TfidfVectorizer(analyzer=ANALYZER, ngram_range=NGRAM_RANGE, sublinear_tf=True, dtype=np.float32)
    # One pass over all the text both fits the vocabulary and vectorises every field.
    matrix = vectorizer.fit_transform([*labels, *texts, *parents]).tocsr()
    n_labels, n_occupations = len(labels), len(occupations)
    owner_index = np.asarray(owners, dtype=np.int64)
    label_matrix = sp.diags(np.asarray(label_weights, dtype=np.float32)) @ matrix[:n_labels]
    text_matrix = matrix[n_labels : n_labels + n_occupations][owner_index] * np.float32(TEXT_WEIGHT)
    parent_matrix = matrix[n_labels + n_occupations :][owner_index] * np.float32(PARENT_WEIGHT)
    rows = (label_matrix + text_matrix + parent_matrix).astype(np.float32).tocsr()
    return _Index(
        codes=tuple(o.code for o in occupations),
        names=tuple(o.name for o in occupations),
        vectorizer=vectorizer,
        rows_t=rows.T.tocsr(),
        owners=owner_index,
        max_rows_per_owner=int(np.bincount(owner_index).max()),
    )


def _get_index() -> _Index:
    """The process-wide index, built on first use; the lock keeps two threads from building it twice."""
    global _index
    if _index is None:
        with _index_lock:
            if _index is None:
                _index = _build_index()
    return _index


def _best_per_owner(scores: sp.csr_matrix, owners: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
    """For each query row, the k best occupations by their best label row, best first."""
    coo = scores.tocoo()
    query, owner, value = coo.row.astype(np.int64), owners[coo.col], coo.data
    order = np.lexsort((-value, query))
    query, owner, value = query[order], owner[order], value[order]
    key = query * (int(owners.max()) + 1) + owner
    _, first = np.unique(key, return_index=True)  # first occurrence = the owner's best row
    first.sort()
    query, owner, value = query[first], owner[first], value[first]
    rank = np.arange(len(query)) - np.searchsorted(query, query, side="left")
    keep = rank < k
    result: list[list[tuple[int, float]]] = [[] for _ in range(scores.shape[0])]
    for q, o, v in zip(query[keep].tolist(), owner[keep].tolist(), value[keep].tolist(), strict=True):
        result[q].append((o, v))
    return result


def _query_vectors(vectorizer: TfidfVectorizer, cleaned: Sequence[str]) -> sp.csr_matrix:
    """Unit query vectors: the title plus its synonym wording at SYNONYM_WEIGHT.

    The wording is a second, weaker witness: a title's own words still decide when they match an
    occupation well, and "电商仓 仓管员" stays a warehouse keeper although 电商 suggests e-commerce.
    """
    own = vectorizer.transform(cleaned)
    wording = vectorizer.transform([synonym_wording(text) for text in cleaned])
    combined = (own + wording * SYNONYM_WEIGHT).astype(np.float32)
    norms = np.sqrt(np.asarray(combined.multiply(combined).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms).astype(np.float32) @ combined)


def suggest_occupations(titles: Iterable[str], k: int = 5) -> list[list[tuple[str, str, float]]]:
    """For each title, up to k level-4 occupations as (code, name, score), best first, score in [0, 1].

    A title with nothing left after cleaning, or nothing in common with the classification, gets [].
    """
    titles = list(titles)
    if k <= 0 or not titles:
        return [[] for _ in titles]
    index = _get_index()
    cleaned = [clean_title(title) for title in titles]
    vectors = _query_vectors(index.vectorizer, cleaned)
    # The k-th distinct occupation can sit behind (k - 1) occupations' worth of label rows.
    top_n = min(index.rows_t.shape[1], (k - 1) * index.max_rows_per_owner + 1)
    scores = sp_matmul_topn(vectors, index.rows_t, top_n=top_n, threshold=MIN_SCORE)
    best = _best_per_owner(scores, index.owners, k)
    return [[(index.codes[o], index.names[o], round(min(1.0, max(0.0, v)), 4)) for o, v in row] for row in best]


def load_eval(split: str | None = "test", path: Path = EVAL_CSV) -> list[tuple[str, str]]:
    """(title, code) pairs of the hand-labelled evaluation set; split None means all rows."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["title"], row["code"]) for row in csv.DictReader(handle) if split is None or row["split"] == split]


def evaluate(split: str | None = "test") -> tuple[float, float]:
    """Top-1 and top-5 accuracy on a split of the evaluation set ("dev", "test" or None for all)."""
    pairs = load_eval(split)
    if not pairs:
        raise ValueError(f"no evaluation rows for split {split!r}")
    suggestions = suggest_occupations([title for title, _ in pairs], k=5)
    top1 = sum(bool(s) and s[0][0] == code for (_, code), s in zip(pairs, suggestions, strict=True))
    top5 = sum(code in {c for c, _, _ in s} for (_, code), s in zip(pairs, suggestions, strict=True))
    return top1 / len(pairs), top5 / len(pairs)
