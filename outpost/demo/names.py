"""Data for the demo district (演示辖区数据): names, streets, region codes, organisations.

Everything here is plain data. Frequencies are rounded figures of the national surname
ranking, nudged toward the Liaodong peninsula (于, 曲, 姜, 孙, 丛, 隋 are common in
Dalian). Region codes are GB/T 2260 county codes; the weights give the share of
residents whose ID numbers carry each code. Organisation and employer names are
invented.
"""

from __future__ import annotations


def _weighted(text: str) -> tuple[tuple[str, int], ...]:
    pairs = []
    for token in text.split():
        name, weight = token.split(":")
        pairs.append((name, int(weight)))
    return tuple(pairs)


def _unique_chars(text: str, *exclude: str) -> str:
    seen: list[str] = []
    excluded = set("".join(exclude))
    for char in text:
        if char.isspace() or char in excluded or char in seen:
            continue
        seen.append(char)
    return "".join(seen)


# Surname:weight (roughly per 10,000 people). Compound surnames at the end.
SURNAMES: tuple[tuple[str, int], ...] = _weighted(
    """
    王:712 李:700 张:674 刘:510 陈:461 杨:322 黄:245 赵:230 吴:200 周:190
    孙:160 徐:145 马:129 朱:128 胡:116 郭:113 何:106 林:102 高:100 罗:95
    于:90 郑:90 梁:85 谢:80 宋:78 唐:77 许:75 韩:74 姜:70 邓:70
    冯:69 曹:68 彭:66 曾:64 肖:63 田:62 董:61 潘:58 袁:57 蔡:56
    蒋:55 余:54 杜:52 叶:51 程:50 魏:49 苏:48 吕:47 丁:46 任:45
    崔:45 卢:44 姚:43 沈:42 钟:41 谭:39 陆:38 范:37 汪:36 廖:35
    石:34 金:33 贾:32 夏:31 韦:30 付:30 方:30 邹:29 熊:29 白:28
    孟:28 秦:27 邱:27 侯:26 江:26 尹:25 薛:25 闫:25 段:24 雷:24
    龙:23 史:23 陶:22 贺:22 毛:21 郝:21 黎:20 顾:20 龚:20 邵:20
    万:19 武:19 钱:18 戴:18 严:18 曲:18 孔:17 常:17 汤:16 康:16
    乔:15 向:15 易:14 文:14 辛:14 莫:14 洪:13 齐:13 施:12 赖:12
    庞:12 樊:12 鲁:12 葛:12 安:12 关:12 殷:11 牛:11 兰:10 左:10
    季:10 申:10 管:10 聂:10 章:10 覃:10 丛:10 柯:9 伍:9 柴:9
    单:9 包:9 鲍:9 焦:9 纪:9 隋:9 甘:8 涂:8 祝:8 翟:8
    宁:8 路:8 尚:8 温:8 耿:8 宫:8 邢:8 迟:8 俞:7 车:7
    滕:7 房:7 谷:7 栾:7 鞠:7 苗:7 岳:7 毕:7 冉:6 卜:6
    喻:6 吉:6 裴:6 解:6 成:6 童:6 舒:6 柳:6 初:6 靳:6
    时:6 佟:6 储:5 符:5 修:5 穆:5 盛:5 由:4 衣:4 宗:4
    娄:4 蔺:4 商:4 景:4 慕:3 綦:3 全:3 仲:3 那:3 富:3
    邴:2 闻:2 伊:2 鄂:2 赫:2 阚:2 芦:2 臧:2 战:2 矫:2
    欧阳:4 司马:2 上官:1 诸葛:1 东方:1 皇甫:1 慕容:1 令狐:1 公孙:1
    """
)

_MALE = """
伟强磊军勇杰涛斌超明刚平辉鹏飞鑫波宇浩凯健俊帆帅旭龙洋峰亮成东建国志博
雷彬鹤松柏岩山川毅坤德福贵财兴旺隆昌盛庆祥义忠信仁礼智武豪哲睿泽宏振远
航铭晖钧锋铁钢彦弘启承楠翔皓奇世胜利卫立永光学喜发达广廷延晋桐栋鸿骏腾
驰逸恒晟煜烨炜璋继宗绍守宝长树森友满根来顺恩贤良铮阔凡猛虎彪钊锐轩铎崇
勤俭朋振卓越凯斐晗琛瑞麟骁鲲鹏彬韬略靖康荣富民生耀威杨坚力宪政昊旻炎焱
堃垚磊鑫淼森峻崧屹嵩岭河渊泓浚沛瀚洲波澎湃
"""
_FEMALE = """
芳娜敏静丽艳娟霞秀燕玲桂英红梅琳莉萍婷雪慧倩颖琴晶妍茜洁蕾薇蓉琼莹露菲
欣悦怡璐瑶萌蕊岚婉娴淑贞珍珠凤兰菊莲荷月霜彩莎曼妮娇姗媛嫣雯馨雅诗梦琪
丹翠碧美爱素香芬芝芸容雁虹瑾瑜璇琬婧娅妤姝婕黛韵羽若依诺潇铃卉蔓菁萱蓓
霏絮沁溪滢澜漪汐舒可心语清青凌巧秀
娥嫦婵娉婷妙娓姣嫚婕媚娆妩姿媚茹萃莎苹薇蕙蓝菡芮芷茉莉蓁萦黎璐琰瑗琳瑛
珊珏瑶環霓霁霄湘沫泠淼嫒媱姚婳妲姣
"""
_NEUTRAL = """
文子一小海天晓新宁安嘉佳晨阳雨艺梓思然星辰华云春秋冬金玉和晗涵逸铭冰
书景家瑞荣乐健琦彤煦晴朗毓钰沐知言希航正
"""

# Given-name characters: mostly male, mostly female, and used for both (about 400 in all).
GIVEN_MALE: str = _unique_chars(_MALE)
GIVEN_FEMALE: str = _unique_chars(_FEMALE, GIVEN_MALE)
GIVEN_NEUTRAL: str = _unique_chars(_NEUTRAL, GIVEN_MALE, GIVEN_FEMALE)

# Dalian street names (大连市街路名), mostly in and around Shahekou district.
STREETS: tuple[str, ...] = tuple(
    """
    西安路 五四路 连胜街 黄河路 长江路 兴工街 春柳街 马栏街 西南路
    五一路 锦绣路 百合街 民政街 星海街 英华街 南沙街 太原街 成义街
    李家街 新开路 汇康路 数码路 东北路 华北路 哈尔滨路 黄浦路
    锦华南街 富国街 万岁街 工人村街 长兴街 中长街 兴隆街 胜利路
    解放路 长春路 沈阳路 鞍山路 抚顺街 营口街 本溪街 辽阳街 大同街
    铁岭街 丹东街 白山路 香周路 福恩街 锦联街 星海二站街 体坛路
    高尔基路 中山路 联合路 红旗西路 玉华街 黑石礁街 凌水路 西山街
    南平街 北京街 沙河街 桃源街 青云街
    """.split()
)

# The 17 communities (社区) of the demo station, grouped by community police office
# (社区警务室): ten offices, named after their first community.
OFFICE_COMMUNITIES: tuple[tuple[str, ...], ...] = (
    ("新生社区", "五一社区"),
    ("锦华社区", "长兴社区"),
    ("友好社区", "西南社区"),
    ("星海湾社区", "马栏社区"),
    ("春柳社区", "李家社区"),
    ("兴工社区", "和平社区"),
    ("中长社区", "万岁社区"),
    ("富国社区",),
    ("南沙社区",),
    ("黑石礁社区",),
)
# Grids (网格) per community, in the order above; 235 in all.
COMMUNITY_GRID_COUNTS: tuple[int, ...] = tuple(
    int(n) for n in "15 13 14 12 16 13 14 15 13 14 12 15 14 13 15 13 14".split()
)

BRANCH_NAME = "大连市公安局沙河口分局"
STATION_NAME = "哈尔滨路派出所"
HEALTH_COMMISSION_NAME = "沙河口区卫生健康委员会"
SUBDISTRICT_NAME = "哈尔滨路街道办事处"
# Community health centres (社区卫生服务中心): (name, index of the office it serves).
HEALTH_CENTRES: tuple[tuple[str, int], ...] = (
    ("新生社区卫生服务中心", 0),
    ("星海湾社区卫生服务中心", 3),
    ("兴工社区卫生服务中心", 5),
)
# Essential-goods enterprises (保供企业): (name, index of the community it lies in).
ENTERPRISES: tuple[tuple[str, int], ...] = (
    ("大连康卫医疗用品有限公司", 4),  # medical masks
    ("大连海润食品有限公司", 1),
    ("大连鑫禾粮油加工有限公司", 9),
    ("大连绿源蔬菜配送有限公司", 12),
    ("大连洁安消毒制品有限公司", 15),
    ("大连北方乳业有限公司", 16),
)
# Other employers written into residents' workplace field.
EMPLOYERS: tuple[str, ...] = tuple(
    """
    大连星海湾商贸有限公司 大连连胜物流有限公司 沙河口区第二十四中学
    大连市中心医院 大连北海建筑工程有限公司 大连天和软件有限公司
    大连兴工机械制造有限公司 大连万岁超市连锁有限公司 大连春柳百货商场
    大连顺达出租汽车有限公司 大连海韵餐饮管理有限公司
    大连长兴物业服务有限公司 个体经营 大连市沙河口区马栏小学
    大连华北路农贸市场
    """.split()
)

# GB/T 2260 county codes: (code, name, group, weight). Groups: "dalian", "liaoning"
# (elsewhere in the province), "hubei", "other".
REGIONS: tuple[tuple[str, str, str, int], ...] = (
    ("210204", "大连市沙河口区", "dalian", 260),
    ("210202", "大连市中山区", "dalian", 90),
    ("210203", "大连市西岗区", "dalian", 100),
    ("210211", "大连市甘井子区", "dalian", 120),
    ("210212", "大连市旅顺口区", "dalian", 30),
    ("210213", "大连市金州区", "dalian", 45),
    ("210214", "大连市普兰店区", "dalian", 15),
    ("210282", "普兰店市", "dalian", 25),
    ("210224", "长海县", "dalian", 8),
    ("210281", "瓦房店市", "dalian", 40),
    ("210283", "庄河市", "dalian", 40),
    ("210102", "沈阳市和平区", "liaoning", 10),
    ("210103", "沈阳市沈河区", "liaoning", 8),
    ("210104", "沈阳市大东区", "liaoning", 6),
    ("210105", "沈阳市皇姑区", "liaoning", 6),
    ("210106", "沈阳市铁西区", "liaoning", 7),
    ("210302", "鞍山市铁东区", "liaoning", 8),
    ("210402", "抚顺市新抚区", "liaoning", 5),
    ("210502", "本溪市平山区", "liaoning", 4),
    ("210602", "丹东市元宝区", "liaoning", 8),
    ("210702", "锦州市古塔区", "liaoning", 5),
    ("210802", "营口市站前区", "liaoning", 7),
    ("210902", "阜新市海州区", "liaoning", 4),
    ("211002", "辽阳市白塔区", "liaoning", 4),
    ("211102", "盘锦市双台子区", "liaoning", 4),
    ("211202", "铁岭市银州区", "liaoning", 4),
    ("211302", "朝阳市双塔区", "liaoning", 5),
    ("211402", "葫芦岛市连山区", "liaoning", 4),
    ("420102", "武汉市江岸区", "hubei", 3),
    ("420103", "武汉市江汉区", "hubei", 3),
    ("420104", "武汉市硚口区", "hubei", 2),
    ("420105", "武汉市汉阳区", "hubei", 2),
    ("420106", "武汉市武昌区", "hubei", 3),
    ("420111", "武汉市洪山区", "hubei", 3),
    ("420112", "武汉市东西湖区", "hubei", 1),
    ("420115", "武汉市江夏区", "hubei", 1),
    ("420202", "黄石市黄石港区", "hubei", 1),
    ("420302", "十堰市茅箭区", "hubei", 1),
    ("420502", "宜昌市西陵区", "hubei", 2),
    ("420602", "襄阳市襄城区", "hubei", 1),
    ("420802", "荆门市东宝区", "hubei", 1),
    ("420902", "孝感市孝南区", "hubei", 2),
    ("421002", "荆州市沙市区", "hubei", 2),
    ("421102", "黄冈市黄州区", "hubei", 2),
    ("421202", "咸宁市咸安区", "hubei", 1),
    ("421302", "随州市曾都区", "hubei", 1),
    ("422801", "恩施市", "hubei", 1),
    ("230102", "哈尔滨市道里区", "other", 6),
    ("230103", "哈尔滨市南岗区", "other", 6),
    ("230202", "齐齐哈尔市龙沙区", "other", 4),
    ("230602", "大庆市萨尔图区", "other", 3),
    ("230902", "七台河市新兴区", "other", 2),
    ("231002", "牡丹江市东安区", "other", 3),
    ("220102", "长春市南关区", "other", 5),
    ("220104", "长春市朝阳区", "other", 4),
    ("220202", "吉林市昌邑区", "other", 3),
    ("222401", "延吉市", "other", 3),
    ("370102", "济南市历下区", "other", 3),
    ("370202", "青岛市市南区", "other", 3),
    ("370602", "烟台市芝罘区", "other", 5),
    ("371002", "威海市环翠区", "other", 3),
    ("130102", "石家庄市长安区", "other", 2),
    ("410102", "郑州市中原区", "other", 2),
    ("411302", "南阳市宛城区", "other", 2),
    ("150102", "呼和浩特市新城区", "other", 2),
    ("150402", "赤峰市红山区", "other", 2),
    ("110101", "北京市东城区", "other", 2),
    ("110105", "北京市朝阳区", "other", 2),
    ("310101", "上海市黄浦区", "other", 1),
    ("320102", "南京市玄武区", "other", 1),
    ("340102", "合肥市瑶海区", "other", 1),
    ("510104", "成都市锦江区", "other", 1),
    ("360102", "南昌市东湖区", "other", 1),
    ("430102", "长沙市芙蓉区", "other", 1),
)

# Foreign residents (外籍人员): (nationality, passport prefix, digits after it, surnames,
# men's given names, women's given names). Dalian has large Korean and Japanese communities.
FOREIGNERS: tuple[tuple[str, str, int, tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "KOR",
        "M",
        8,
        ("KIM", "LEE", "PARK", "CHOI", "JUNG", "KANG", "CHO", "YOON"),
        ("MINJUN", "JIHOON", "HYUNWOO", "DONGHYUN", "SEUNGHO"),
        ("SEOYEON", "SUBIN", "JIWOO", "YUNA", "MINJI"),
    ),
    (
        "JPN",
        "TK",
        7,
        ("SATO", "SUZUKI", "TAKAHASHI", "TANAKA", "WATANABE", "ITO", "YAMAMOTO", "NAKAMURA"),
        ("HIROSHI", "KENTA", "TAKUYA", "DAISUKE", "SHOTA"),
        ("YUKI", "AYAKA", "MISAKI", "HARUKA", "NAOMI"),
    ),
    (
        "RUS",
        "75",
        7,
        ("IVANOV", "PETROV", "SMIRNOV", "KUZNETSOV", "VOLKOV", "SOKOLOV"),
        ("SERGEI", "DMITRY", "ALEXEI", "IVAN"),
        ("ANNA", "OLGA", "NATALIA", "ELENA"),
    ),
    (
        "USA",
        "5",
        8,
        ("SMITH", "JOHNSON", "BROWN", "MILLER", "DAVIS"),
        ("JOHN", "MICHAEL", "DAVID", "JAMES"),
        ("EMILY", "SARAH", "JESSICA", "LAURA"),
    ),
)

# Mobile prefixes (号段) with weights: 13x/15x/18x dominate, then 17x and 19x.
MOBILE_PREFIXES: tuple[tuple[str, int], ...] = _weighted(
    """
    130:4 131:4 132:4 133:3 134:4 135:6 136:5 137:5 138:6 139:7
    150:4 151:4 152:4 153:2 155:3 156:4 157:3 158:4 159:4
    170:1 171:1 173:1 175:1 176:2 177:1 178:2
    180:2 181:2 182:3 183:3 184:1 185:3 186:4 187:3 188:3 189:3
    191:1 193:1 195:1 198:1 199:1
    """
)
