"""Names (姓名比对): the comparison key (separators, full-width, traditional characters) and
the pinyin-aware similarity the rules score candidates by."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import unicodedata
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz

# Full-width ASCII (U+FF01-U+FF5E) to half-width, ideographic space dropped below.
_FULL_TO_HALF = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
# Name separators written in many ways: middle dot, bullet, katakana middle dot, full stop,
# hyphenation point; all become "·" in the normalised name and vanish in the comparison key.
_SEPARATORS = "·•・.．‧∙⋅"
_SEPARATOR_RE = re.compile("[" + re.escape(_SEPARATORS) + "]+")
_SPACE_RE = re.compile(r"\s+")
_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

# Surnames read differently from the character's common reading.
SURNAME_READINGS = {
    "尉迟": ("yu", "chi"),
    "万俟": ("mo", "qi"),
    "长孙": ("zhang", "sun"),
    "单": ("shan",),
    "解": ("xie",),
    "区": ("ou",),
    "仇": ("qiu",),
    "查": ("zha",),
    "曾": ("zeng",),
    "朴": ("piao",),
    "乐": ("yue",),
    "秘": ("bi",),
    "种": ("chong",),
    "盖": ("ge",),
    "缪": ("miao",),
    "覃": ("qin",),
    "翟": ("zhai",),
    "员": ("yun",),
    "繁": ("po",),
    "召": ("shao",),
    "宿": ("su",),
    "那": ("na",),
    "佴": ("nai",),
}


# Traditional (and old variant) forms of characters common in names, and their simplified
# form: 陳偉 and 陈伟 are one name written two ways (a curated table: the characters of the
# commonest surnames and given names; a character missing here still scores as a homophone).
_TRADITIONAL = (
    "陳張劉楊黃趙吳孫馬鄭馮鄧葉蘇許謝韓羅鍾盧蔣呂賈閻餘範譚鄒陸錢湯喬賀賴龔顧萬龍蕭魯"
    "韋薑鄔鄺闕歐陽嚴廬聶齊師閔竇偉華紅軍傑濤靜強豔麗寧曉鳳蘭榮鵬飛東國峯雲嬌愛長輝剛"
    "慶穎瑩潔雙貴寶財興順義禮廣業學書詩蓮環瓊綠藝賢聰儀燦煒鋒銘錦鈞鐵淩瀟漢聖從衛達遠"
    "連進運邁遜軒濱澤濟滿瀾潤銀鍇鐘閣闖韻頌顏願風驍鴻鵑鶴鸝齡琿璣瑋煥熾爾牆獻琺瑤璦礎"
    "祿禎穩紋純紗紹絲維綺緯縉繼纓總績繡羨習翹聞莊萊蔭蕓藍蘆蟬襲覺詠誠調諾謙譽讓豐貞賓"
    "贇軼輪轉農邊郵鄰釗鈺銳鋼錫鎮鏡鑒門閃閩陣隨雋雞電靈韜頤頻題額飄館駿騰驕體鬆鳴鶯麥"
    "點齋"
)
_SIMPLIFIED = (
    "陈张刘杨黄赵吴孙马郑冯邓叶苏许谢韩罗钟卢蒋吕贾阎余范谭邹陆钱汤乔贺赖龚顾万龙萧鲁"
    "韦姜邬邝阙欧阳严庐聂齐师闵窦伟华红军杰涛静强艳丽宁晓凤兰荣鹏飞东国峰云娇爱长辉刚"
    "庆颖莹洁双贵宝财兴顺义礼广业学书诗莲环琼绿艺贤聪仪灿炜锋铭锦钧铁凌潇汉圣从卫达远"
    "连进运迈逊轩滨泽济满澜润银锴钟阁闯韵颂颜愿风骁鸿鹃鹤鹂龄珲玑玮焕炽尔墙献珐瑶瑷础"
    "禄祯稳纹纯纱绍丝维绮纬缙继缨总绩绣羡习翘闻庄莱荫芸蓝芦蝉袭觉咏诚调诺谦誉让丰贞宾"
    "赟轶轮转农边邮邻钊钰锐钢锡镇镜鉴门闪闽阵随隽鸡电灵韬颐频题额飘馆骏腾骄体松鸣莺麦"
    "点斋"
)
_T2S = str.maketrans(_TRADITIONAL, _SIMPLIFIED)


def normalize_name(raw: str | None) -> str:
    """Spaces dropped, full-width to half-width, separators unified to ``·``, Latin lower-cased."""
    if not raw:
        return ""
    value = _SPACE_RE.sub("", str(raw).translate(_FULL_TO_HALF).replace("\u3000", ""))
    value = _SEPARATOR_RE.sub("·", value).strip("·")
    return value.lower()


def name_key(raw: str | None) -> str:
    """The comparison key: the normalised name without separators (买买提·艾力 == 买买提艾力),
    traditional characters of names in their simplified form (陳偉 == 陈伟)."""
    return normalize_name(raw).replace("·", "").translate(_T2S)


@lru_cache(maxsize=1)
def _pinyin_dict() -> dict[int, str]:
    """pypinyin's character dictionary. Importing the package also loads its phrase
    dictionaries (a third of a second, unused here): when it is not imported yet, the
    character dictionary is read from its JSON file (what ``pypinyin.pinyin_dict`` does)."""
    module = sys.modules.get("pypinyin.pinyin_dict")
    spec = importlib.util.find_spec("pypinyin") if module is None else None
    if spec is not None and spec.submodule_search_locations:
        path = Path(next(iter(spec.submodule_search_locations)), "pinyin_dict.json")
        try:
            with open(path, encoding="utf-8") as fh:
                return {int(code): readings for code, readings in json.load(fh).items()}
        except (OSError, ValueError):
            pass
    from pypinyin.pinyin_dict import pinyin_dict

    return pinyin_dict


@lru_cache(maxsize=50_000)
def _char_reading(ch: str) -> tuple[str, ...]:
    """Toneless readings of one character from pypinyin's dictionary, most common first.

    Per-character lookups instead of ``pypinyin.pinyin(..., heteronym=True)`` per name: a name
    has no phrase context worth segmenting, and this is ~100x faster."""
    readings = _pinyin_dict().get(ord(ch))
    if not readings:
        return (ch,)
    toneless: list[str] = []
    for reading in readings.split(","):
        plain = "".join(
            c for c in unicodedata.normalize("NFD", reading) if not unicodedata.combining(c)
        )
        if plain not in toneless:
            toneless.append(plain)
    return tuple(toneless)


def _surname_readings(key: str) -> tuple[str, ...]:
    for length in (2, 1):
        surname = key[:length]
        if len(key) > length and surname in SURNAME_READINGS:
            return SURNAME_READINGS[surname]
    return ()


@lru_cache(maxsize=500_000)
def _readings(key: str) -> tuple[frozenset[str], ...]:
    """Per character, every toneless reading (heteronyms and surname readings included)."""
    result = [frozenset(_char_reading(ch)) for ch in key]
    for i, reading in enumerate(_surname_readings(key)):
        result[i] = result[i] | {reading}
    return tuple(result)


@lru_cache(maxsize=500_000)
def _primary_pinyin(key: str) -> str:
    """The name in pinyin, surnames in their surname reading (单 shan, 尉迟 yu chi)."""
    syllables = [_char_reading(ch)[0] for ch in key]
    surname = _surname_readings(key)
    syllables[: len(surname)] = surname
    return " ".join(syllables)


NAME_SWAPPED = 92.0  # the given name written before the surname (伟张 for 张伟)


def _name_similarity_keys(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    if a == b:
        return 100.0
    if len(a) == len(b):
        ra, rb = _readings(a), _readings(b)
        if all(x & y for x, y in zip(ra, rb, strict=True)):
            return 95.0  # homophones: 张伟 / 章伟, 单 read shan / 善
        if any(b == a[k:] + a[:k] for k in (1, 2) if len(a) > k):
            return NAME_SWAPPED
    char_score = fuzz.ratio(a, b)
    pinyin_score = 0.9 * fuzz.ratio(_primary_pinyin(a), _primary_pinyin(b))
    return float(min(94.0, max(char_score, pinyin_score)))


def _middle_edit(a: str, b: str) -> bool:
    """One character more or less inside the name, the first and the last the same: 张伟 and
    张小伟, 欧阳明 and 欧明 (Chinese names of 2 to 5 characters)."""
    if abs(len(a) - len(b)) != 1 or not _CJK_RE.match(a) or not _CJK_RE.match(b):
        return False
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    if len(short) < 2 or len(long_) > 5 or short[0] != long_[0] or short[-1] != long_[-1]:
        return False
    return any(long_[:i] + long_[i + 1 :] == short for i in range(1, len(long_) - 1))


def name_similarity(a: str | None, b: str | None) -> float:
    """0-100. 100 for the same normalised name, 95 for homophones (heteronyms and surname
    readings considered), otherwise the better of the character and the pinyin similarity."""
    return _name_similarity_keys(name_key(a), name_key(b))
