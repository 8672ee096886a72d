"""The residents import (居民信息导入): one row per person, grouped into households.

Declares the columns and the row validator/upsert; the shared pipeline in
`outpost.core.imports` does the rest. A person is matched by ID number, else by document
type and number, else (people without a document, such as small children) by household,
name and birth date — so importing the same file twice changes nothing. Rows are grouped
into households by the household-number column when the file has one, else by address.
Every row must land in a grid within the import's unit.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outpost.core.choices import UnitKind
from outpost.core.chunks import chunked
from outpost.core.identity import (
    EARLIEST_BIRTH_DATE,
    id_birth_date,
    id_sex,
    normalize_document_number,
    validate_id_number,
    validate_phone,
)
from outpost.core.imports.base import (
    CREATED,
    UNCHANGED,
    UPDATED,
    CommitCounts,
    ImportField,
    RowError,
    RowImporter,
    SourceRow,
    cell_date,
    register_importer,
)
from outpost.core.imports.bulk import current_rows, insert_history, insert_rows, update_rows
from outpost.core.models import Unit
from outpost.core.scoping import user_scope_unit, user_sees_everything
from outpost.registry.choices import DocumentType, RelationToHead, ResidenceType, Sex
from outpost.registry.models import Household, Resident

BATCH_SIZE = 1000
CHUNK_SIZE = 5000
LOOKUP_CHUNK = 2000  # well under the 32,766 parameters SQLite allows by default

# -------------------------------------------------------------------------- cell vocabularies

SEX_WORDS = {
    "男": Sex.MALE, "男性": Sex.MALE, "m": Sex.MALE, "male": Sex.MALE,
    "女": Sex.FEMALE, "女性": Sex.FEMALE, "f": Sex.FEMALE, "female": Sex.FEMALE,
    "未知": Sex.UNKNOWN, "不详": Sex.UNKNOWN, "u": Sex.UNKNOWN,
}  # fmt: skip

RESIDENCE_WORDS = {
    "常住": ResidenceType.PERMANENT, "常住人口": ResidenceType.PERMANENT,
    "户籍": ResidenceType.PERMANENT, "户籍人口": ResidenceType.PERMANENT,
    "本地": ResidenceType.PERMANENT, "permanent": ResidenceType.PERMANENT,
    "暂住": ResidenceType.TEMPORARY, "暂住人口": ResidenceType.TEMPORARY,
    "寄住": ResidenceType.TEMPORARY, "temporary": ResidenceType.TEMPORARY,
    "流动": ResidenceType.FLOATING, "流动人口": ResidenceType.FLOATING,
    "外来": ResidenceType.FLOATING, "外来人口": ResidenceType.FLOATING,
    "floating": ResidenceType.FLOATING,
}  # fmt: skip

RELATION_WORDS = {
    "户主": RelationToHead.HEAD, "本人": RelationToHead.HEAD, "head": RelationToHead.HEAD,
    "是": RelationToHead.HEAD, "√": RelationToHead.HEAD, "y": RelationToHead.HEAD,
    "配偶": RelationToHead.SPOUSE, "妻": RelationToHead.SPOUSE, "妻子": RelationToHead.SPOUSE,
    "夫": RelationToHead.SPOUSE, "丈夫": RelationToHead.SPOUSE, "spouse": RelationToHead.SPOUSE,
    "子": RelationToHead.CHILD, "女": RelationToHead.CHILD, "儿子": RelationToHead.CHILD,
    "女儿": RelationToHead.CHILD, "子女": RelationToHead.CHILD, "长子": RelationToHead.CHILD,
    "次子": RelationToHead.CHILD, "长女": RelationToHead.CHILD, "次女": RelationToHead.CHILD,
    "养子": RelationToHead.CHILD, "养女": RelationToHead.CHILD, "child": RelationToHead.CHILD,
    "父": RelationToHead.PARENT, "母": RelationToHead.PARENT, "父亲": RelationToHead.PARENT,
    "母亲": RelationToHead.PARENT, "父母": RelationToHead.PARENT, "parent": RelationToHead.PARENT,
    "孙子": RelationToHead.GRANDCHILD, "孙女": RelationToHead.GRANDCHILD,
    "外孙": RelationToHead.GRANDCHILD, "外孙子": RelationToHead.GRANDCHILD,
    "外孙女": RelationToHead.GRANDCHILD, "孙辈": RelationToHead.GRANDCHILD,
    "孙子女": RelationToHead.GRANDCHILD, "grandchild": RelationToHead.GRANDCHILD,
    "其他": RelationToHead.OTHER, "其它": RelationToHead.OTHER,
    "租户": RelationToHead.TENANT, "租客": RelationToHead.TENANT,
    "承租人": RelationToHead.TENANT, "tenant": RelationToHead.TENANT,
    "否": "", "n": "", "×": "",
}  # fmt: skip

DOCUMENT_WORDS = {
    "身份证": DocumentType.RESIDENT_ID, "居民身份证": DocumentType.RESIDENT_ID,
    "二代身份证": DocumentType.RESIDENT_ID, "身份证号": DocumentType.RESIDENT_ID,
    "护照": DocumentType.PASSPORT, "passport": DocumentType.PASSPORT,
    "港澳通行证": DocumentType.HK_MACAO_PERMIT,
    "港澳居民来往内地通行证": DocumentType.HK_MACAO_PERMIT,
    "回乡证": DocumentType.HK_MACAO_PERMIT,
    "台胞证": DocumentType.TAIWAN_PERMIT, "台湾居民来往大陆通行证": DocumentType.TAIWAN_PERMIT,
    "外国人居留证": DocumentType.FOREIGNER_RESIDENCE,
    "外国人永久居留身份证": DocumentType.FOREIGNER_RESIDENCE,
    "居留证": DocumentType.FOREIGNER_RESIDENCE, "居留许可": DocumentType.FOREIGNER_RESIDENCE,
    "无": DocumentType.NONE, "无证件": DocumentType.NONE,
}  # fmt: skip


def _accept_stored_values(words: dict, choices) -> None:
    """The stored values (``male``, ``passport`` …) are accepted too."""
    for value in choices.values:
        words.setdefault(value.lower(), value)


def _plain_values(words: dict) -> None:
    """Store the choices' values as plain strings (database drivers want plain types)."""
    for key, value in words.items():
        words[key] = str(getattr(value, "value", value))


_accept_stored_values(SEX_WORDS, Sex)
_accept_stored_values(RESIDENCE_WORDS, ResidenceType)
_accept_stored_values(RELATION_WORDS, RelationToHead)
_accept_stored_values(DOCUMENT_WORDS, DocumentType)
for _words in (SEX_WORDS, RESIDENCE_WORDS, RELATION_WORDS, DOCUMENT_WORDS):
    _plain_values(_words)


def _word(text: str) -> str:
    return _nospace(text).lower()


def _nospace(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return "".join(text.split())


# -------------------------------------------------------------------------- addresses

_ADDRESS_NUMBERED = re.compile(
    r"(?P<street>.+?)"
    r"(?P<building>[0-9]+[A-Za-z]?(?:-[0-9]+)?)(?:号楼|号|栋|幢|座|楼)"
    r"(?:(?P<entrance>[0-9]+|[A-Za-z])单元)?"
    r"(?:(?P<room>[0-9]+[A-Za-z]?(?:-[0-9]+)?)(?:室|号|户)?)?"
)
_ADDRESS_DASHED = re.compile(
    r"(?P<street>.*?[^0-9\-])(?P<building>[0-9]+)-(?P<entrance>[0-9]+)-(?P<room>[0-9]+)"
)


@dataclass(frozen=True, slots=True)
class Address:
    street: str
    building: str = ""
    entrance: str = ""
    room: str = ""

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.street, self.building, self.entrance, self.room)


def parse_address(text: str) -> Address:
    """``黄河路123号2单元502室`` → street 黄河路, building 123, entrance 2, room 502; also
    ``幸福小区3号楼2单元301``, ``黄河路123-2-502``. Text that does not parse stays whole in
    the street."""
    text = _nospace(text or "")
    for pattern in (_ADDRESS_NUMBERED, _ADDRESS_DASHED):
        if match := pattern.fullmatch(text):
            return Address(
                street=match["street"],
                building=match["building"],
                entrance=match["entrance"] or "",
                room=match["room"] or "",
            )
    return Address(street=text)


# -------------------------------------------------------------------------- rows


@dataclass(slots=True, eq=False)
class PlannedHousehold:
    """A household as the file describes it: an existing one (``pk``) or one to create."""

    key: tuple
    row: int
    pk: int | None
    number: str
    address: Address | None
    grid_id: int | None
    phone: str = ""
    changes: dict[str, Any] = field(default_factory=dict)
    needs_number_check: bool = False


@dataclass(slots=True, eq=False)
class ResidentRow:
    row: int
    outcome: str
    pk: int | None
    name: str
    document_type: str
    id_number: str
    document_number: str
    sex: str
    birth_date: Any
    phone: str
    relation: str
    residence_type: str
    workplace: str
    grid_id: int
    household: PlannedHousehold | None
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Existing:
    """What a resident already in the registry looks like, for comparing."""

    pk: int
    unit_id: int
    household_id: int | None
    name: str
    document_type: str
    id_number: str
    document_number: str
    sex: str
    birth_date: Any
    phone: str
    relation_to_head: str
    residence_type: str
    workplace: str


EXISTING_FIELDS = list(Existing.__dataclass_fields__)

_CJK = re.compile(r"[\u3400-\u9fff]")
_NAME_FORBIDDEN = re.compile(r"[0-9:：@#$%^&*=+<>{}\[\]|\\/_~`!！?？;；,，()（）]")


def _planned_from_registry(
    key: tuple, row_number: int, existing: tuple, address: Address | None, grid_id: int | None
) -> PlannedHousehold:
    """A household of the registry as the file has it: the address and grid it gives are
    changes to make."""
    pk, number, street, building, entrance, room, unit_id, phone = existing
    planned = PlannedHousehold(
        key=key, row=row_number, pk=pk, number=number, address=address,
        grid_id=grid_id or unit_id, phone=phone,
    )  # fmt: skip
    if address is not None and address != Address(street, building, entrance, room):
        planned.changes.update(
            street=address.street,
            building=address.building,
            entrance=address.entrance,
            room=address.room,
        )
    if grid_id is not None and grid_id != unit_id:
        planned.changes["unit_id"] = grid_id
    return planned


@register_importer
class ResidentImporter(RowImporter):
    kind = "registry.residents"
    cli_name = "residents"
    label = gettext_lazy("Residents and households")
    permissions = (
        "registry.add_resident",
        "registry.change_resident",
        "registry.add_household",
        "registry.change_household",
    )
    fields = (
        ImportField(
            "name",
            gettext_lazy("Name"),
            ("姓名", "名字", "居民姓名", "人员姓名", "name"),
            required=True,
        ),
        ImportField(
            "id_number",
            gettext_lazy("ID number"),
            (
                "身份证号",
                "身份证号码",
                "公民身份号码",
                "公民身份证号码",
                "身份证",
                "身份证件号码",
                "证件号码",
                "证件号",
                "id number",
                "id",
            ),
            sensitive="id",
        ),
        ImportField(
            "document_type", gettext_lazy("Document type"), ("证件类型", "证件种类", "证件名称")
        ),
        ImportField(
            "document_number",
            gettext_lazy("Document number (passport, permit)"),
            ("护照号", "护照号码", "其他证件号码", "证件号码", "证件号", "document number"),
            sensitive="id",
        ),
        ImportField(
            "phone",
            gettext_lazy("Phone"),
            (
                "联系电话",
                "手机",
                "手机号",
                "手机号码",
                "电话",
                "电话号码",
                "联系方式",
                "移动电话",
                "phone",
                "mobile",
            ),
            sensitive="phone",
        ),
        ImportField("sex", gettext_lazy("Sex"), ("性别", "sex", "gender")),
        ImportField(
            "birth_date",
            gettext_lazy("Birth date"),
            ("出生日期", "出生年月日", "出生年月", "生日", "birth date", "date of birth"),
        ),
        ImportField(
            "relation_to_head",
            gettext_lazy("Relation to head"),
            ("与户主关系", "户主关系", "与户主的关系", "关系", "户主", "relation to head"),
        ),
        ImportField(
            "residence_type",
            gettext_lazy("Residence type"),
            (
                "人口类型",
                "居住类型",
                "人员类型",
                "人口性质",
                "居住性质",
                "户籍类型",
                "residence type",
            ),
        ),
        ImportField(
            "workplace",
            gettext_lazy("Workplace"),
            ("工作单位", "单位", "工作单位及职务", "就业单位", "服务处所", "workplace", "employer"),
        ),
        ImportField(
            "household_number",
            gettext_lazy("Household number"),
            ("户号", "户编号", "家庭户号", "household number"),
        ),
        ImportField(
            "address",
            gettext_lazy("Address"),
            (
                "住址",
                "地址",
                "现住址",
                "家庭住址",
                "居住地址",
                "现居住地址",
                "现居地址",
                "详细地址",
                "address",
            ),
            sensitive="address",
        ),
        ImportField("street", gettext_lazy("Street"), ("街路", "路名", "小区", "street")),
        ImportField(
            "building", gettext_lazy("Building"), ("楼号", "楼栋", "楼栋号", "栋号", "building")
        ),
        ImportField("entrance", gettext_lazy("Entrance"), ("单元", "单元号", "entrance")),
        ImportField(
            "room", gettext_lazy("Room"), ("房号", "室号", "房间号", "room"), sensitive="address"
        ),
        ImportField(
            "grid",
            gettext_lazy("Grid"),
            ("网格", "所属网格", "网格名称", "网格编号", "网格号", "grid"),
        ),
    )

    # ------------------------------------------------------------------ preload

    def prepare(self) -> None:
        unit = self.unit
        user = self.acting_user
        self.scope_path = (
            "" if user_sees_everything(user) else getattr(user_scope_unit(user), "path", None)
        )
        if self.scope_path is None or not unit.path.startswith(self.scope_path):
            raise PermissionDenied(_("The import's unit is outside your jurisdiction."))

        grids = list(
            Unit.objects.filter(kind=UnitKind.GRID).values_list("pk", "code", "name", "path")
        )
        self.grid_codes = {pk: code for pk, code, _name, _path in grids}
        self.grid_names = {pk: name for pk, _code, name, _path in grids}
        self.grids_by_code: dict[str, tuple[int, str]] = {}
        self.grids_by_name: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for pk, code, name, path in grids:
            self.grids_by_code[_word(code)] = (pk, path)
            self.grids_by_name[_word(name)].append((pk, path))
        self.default_grid = unit.pk if unit.kind == UnitKind.GRID else None
        self.today = timezone.localdate()

        households = (
            Household.objects.visible_to(user, "change")
            .within(unit)
            .values_list(
                "pk",
                "household_number",
                "street",
                "building",
                "entrance",
                "room",
                "unit_id",
                "phone",
            )
        )
        self.households_by_number: dict[str, tuple] = {}
        self.households_by_address: dict[tuple, list[tuple]] = defaultdict(list)
        for record in households.iterator(chunk_size=5000):
            self.households_by_number[record[1]] = record
            self.households_by_address[tuple(record[2:6])].append(record)

        residents = (
            Resident.objects.visible_to(user, "change").within(unit).values_list(*EXISTING_FIELDS)
        )
        self.by_id: dict[str, Existing] = {}
        self.by_document: dict[tuple[str, str], Existing] = {}
        self.by_person: dict[tuple, Existing] = {}
        for values in residents.iterator(chunk_size=5000):
            self._index(Existing(*values))

        # Cell texts already understood (choices, grids): the same few values repeat.
        self.known_words: dict[tuple[str, str], Any] = {}
        self.has_address_parts = any(
            n in self.columns for n in ("street", "building", "entrance", "room")
        )
        self.planned: dict[tuple, PlannedHousehold] = {}
        self.seen: dict[tuple, int] = {}
        self.pending_identity: list[ResidentRow] = []
        self.cleaned: list[ResidentRow] = []

    def _index(self, existing: Existing) -> None:
        if existing.id_number:
            self.by_id[existing.id_number] = existing
        elif existing.document_number:
            self.by_document[(existing.document_type, existing.document_number)] = existing
        elif existing.household_id:
            key = (existing.household_id, existing.name, existing.birth_date)
            self.by_person[key] = existing

    # ------------------------------------------------------------------ one row

    def clean(self, row: SourceRow) -> ResidentRow | None:
        name = self._name(row)
        document_type, id_number, document_number = self._identity(row)
        sex, birth_date = self._sex_and_birth(row, id_number)
        phone = self._phone(row)
        relation = self._relation(row, name)
        residence = self._choice(row, "residence_type", RESIDENCE_WORDS, ResidenceType)
        workplace = row.text("workplace")
        if len(workplace) > 200:
            row.error("workplace", _("Workplace is longer than 200 characters."))
        grid_id = self._grid(row)
        if row.errors:
            return None
        household = self._household(row, grid_id)
        if row.errors:
            return None
        grid_id = self._row_grid(row, grid_id, household)
        if grid_id is None:
            return None
        key = self._person_key(
            row, id_number, document_type, document_number, household, name, birth_date
        )
        if key is None or not self._first_time(row, key):
            return None

        if household is not None and household.pk is None and not household.phone and phone:
            if relation == RelationToHead.HEAD or household.row == row.number:
                household.phone = phone

        resident = ResidentRow(
            row=row.number,
            outcome=CREATED,
            pk=None,
            name=name,
            document_type=document_type,
            id_number=id_number,
            document_number=document_number,
            sex=sex,
            birth_date=birth_date,
            phone=phone,
            relation=relation,
            residence_type=residence,
            workplace=workplace,
            grid_id=grid_id,
            household=household,
        )
        existing = self._existing(key, resident)
        if existing is not None:
            self._compare(resident, existing)
        elif key[0] != "person":
            self.pending_identity.append(resident)
        self.cleaned.append(resident)
        return resident

    def _row_grid(
        self, row: SourceRow, grid_id: int | None, household: PlannedHousehold | None
    ) -> int | None:
        """The row's grid: its own, else its household's, else the import unit's; the
        household takes it when it has none yet. None (with an error) when there is none or
        it contradicts the household's."""
        if grid_id is None:
            grid_id = (household.grid_id if household else None) or self.default_grid
        if grid_id is None:
            row.error(
                "grid",
                _(
                    "Grid is missing: the import's unit has several grids, so each row needs a "
                    "grid (name or code) or a household already in the registry."
                ),
            )
            return None
        if household is None:
            return grid_id
        if household.grid_id is None:
            household.grid_id = grid_id
        elif household.grid_id != grid_id:
            row.error(
                "grid",
                _("The household of this row is in grid %(grid)s (row %(first)d).")
                % {"grid": self.grid_names.get(household.grid_id, ""), "first": household.row},
                value=self.grid_names.get(grid_id, ""),
            )
            return None
        return grid_id

    def _person_key(
        self,
        row: SourceRow,
        id_number: str,
        document_type: str,
        document_number: str,
        household: PlannedHousehold | None,
        name: str,
        birth_date: Any,
    ) -> tuple | None:
        """What makes the person one person in the file: the ID number, else the document,
        else name and birth date in the household."""
        if id_number:
            return ("id", id_number)
        if document_number:
            return ("document", document_type, document_number)
        if household is not None:
            return ("person", household.key, name, birth_date)
        row.error(
            "name",
            _(
                "A person without an ID number or other document needs a household number "
                "or an address, so that importing the file again does not add them twice."
            ),
        )
        return None

    def _first_time(self, row: SourceRow, key: tuple) -> bool:
        """Whether the person is new in the file; an error naming the earlier row if not."""
        first = self.seen.get(key)
        if first is None:
            self.seen[key] = row.number
            return True
        if key[0] == "id":
            row.error("id_number", _("Same ID number as row %(row)d.") % {"row": first})
        elif key[0] == "document":
            row.error("document_number", _("Same document as row %(row)d.") % {"row": first})
        else:
            row.error(
                "name",
                _("Same person (name, birth date, household) as row %(row)d.") % {"row": first},
            )
        return False

    def _existing(self, key: tuple, resident: ResidentRow) -> Existing | None:
        """The registry's record of the same person, if any."""
        if key[0] == "id":
            return self.by_id.get(resident.id_number)
        if key[0] == "document":
            return self.by_document.get((resident.document_type, resident.document_number))
        household = resident.household
        if household.pk:
            return self.by_person.get((household.pk, resident.name, resident.birth_date))
        return None

    def _name(self, row: SourceRow) -> str:
        name = row.text("name")
        if _CJK.search(name):
            name = name.replace(" ", "")
        if not name:
            row.error("name", _("Name is empty."))
        elif len(name) > 60:
            row.error("name", _("Name is longer than 60 characters."))
        elif _NAME_FORBIDDEN.search(name):
            row.error("name", _("Name contains digits or punctuation; is this a person's name?"))
        return name

    def _identity(self, row: SourceRow) -> tuple[str, str, str]:
        document_type = DocumentType.RESIDENT_ID
        if row.text("document_type"):
            document_type = self._choice(row, "document_type", DOCUMENT_WORDS, DocumentType)
        raw_id = row.raw("id_number")
        id_text = row.text("id_number")
        document_number = normalize_document_number(row.text("document_number"))
        if document_type not in (DocumentType.RESIDENT_ID, ""):
            # A passport or permit number in the ID column when the type column says so.
            number = document_number or normalize_document_number(id_text)
            name = "document_number" if document_number else "id_number"
            if document_type == DocumentType.NONE:
                return DocumentType.NONE, "", ""
            if not number:
                row.error(
                    "document_number" if row.has_column("document_number") else "document_type",
                    _("The document number is missing."),
                )
            elif len(number) > 40:
                row.error(name, _("Document number is longer than 40 characters."))
            return document_type, "", number
        if document_number and not id_text:
            row.error(
                "document_number",
                _("A document number needs a document type (passport, permit, …)."),
            )
            return DocumentType.RESIDENT_ID, "", ""
        if not id_text:
            return DocumentType.NONE, "", ""
        if isinstance(raw_id, (int, float)) and not isinstance(raw_id, bool):
            if abs(raw_id) >= 1e15:
                # A number cell: Excel kept 15 significant digits at most. Handing the
                # validator the number as Excel shows it (3.60426E+17) gets its explanation.
                id_text = repr(float(raw_id))
        try:
            return DocumentType.RESIDENT_ID, validate_id_number(id_text, today=self.today), ""
        except ValidationError as exc:
            row.error("id_number", _message(exc))
            return DocumentType.RESIDENT_ID, "", ""

    def _sex_and_birth(self, row: SourceRow, id_number: str) -> tuple[str, Any]:
        if id_number:
            # The ID number is the authority for both (DESIGN "Data conventions").
            return id_sex(id_number), id_birth_date(id_number)
        sex = self._choice(row, "sex", SEX_WORDS, Sex) or Sex.UNKNOWN
        birth_date = None
        raw = row.raw("birth_date")
        if raw not in (None, ""):
            try:
                birth_date = cell_date(raw)
            except ValueError as exc:
                row.error("birth_date", str(exc))
            else:
                if birth_date > self.today:
                    row.error("birth_date", _("Birth date is in the future."))
                elif birth_date < EARLIEST_BIRTH_DATE:
                    row.error("birth_date", _("Birth date is before 1890."))
        return sex, birth_date

    def _phone(self, row: SourceRow) -> str:
        text = row.text("phone")
        if not text:
            return ""
        try:
            return validate_phone(text)
        except ValidationError as exc:
            row.error("phone", _message(exc))
            return ""

    def _relation(self, row: SourceRow, name: str) -> str:
        text = row.text("relation_to_head")
        if not text:
            return ""
        word = _word(text)
        if word in RELATION_WORDS:
            return RELATION_WORDS[word]
        if name and word == _word(name):
            return RelationToHead.HEAD  # a "户主" column that names the head
        return RelationToHead.OTHER

    def _choice(self, row: SourceRow, name: str, words: dict, choices) -> str:
        text = row.text(name)
        if not text:
            return ""
        value = self.known_words.get((name, text))
        if value is not None:
            return value
        value = words.get(_word(text))
        if value is None:
            value = next(
                (c for c, label in choices.choices if _word(str(label)) == _word(text)), None
            )
        if value is None:
            accepted = "、".join(str(label) for _c, label in choices.choices)
            row.error(
                name,
                _("“%(value)s” is not one of: %(accepted)s.")
                % {"value": text, "accepted": accepted},
            )
            return ""
        self.known_words[(name, text)] = value
        return value

    def _grid(self, row: SourceRow) -> int | None:
        text = row.text("grid")
        if not text:
            return None
        known = self.known_words.get(("grid", text))
        if known is not None:
            return known
        word = _word(text)
        found = self.grids_by_code.get(word)
        candidates = [found] if found else self.grids_by_name.get(word, [])
        inside = [(pk, path) for pk, path in candidates if path.startswith(self.unit.path)]
        if len(inside) == 1:
            self.known_words[("grid", text)] = inside[0][0]
            return inside[0][0]
        if len(inside) > 1:
            row.error("grid", _("More than one grid has this name; use the grid's code."))
        elif candidates:
            row.error(
                "grid",
                _("This grid is outside %(unit)s, the unit of this import.")
                % {"unit": self.unit.name},
            )
        else:
            row.error("grid", _("No grid has this name or code."))
        return None

    def _address(self, row: SourceRow) -> Address | None:
        text = row.text("address")
        if self.has_address_parts:
            parts = [row.text(n) for n in ("street", "building", "entrance", "room")]
        else:
            parts = ["", "", "", ""]
        if text:
            address = parse_address(text)
            if not address.building and any(parts[1:]):
                address = Address(address.street, *(_nospace(p) for p in parts[1:]))
        elif any(parts):
            street, building, entrance, room = (_nospace(p) for p in parts)
            building = re.sub(r"(号楼|号|栋|幢|座)$", "", building)
            entrance = re.sub(r"单元$", "", entrance)
            room = re.sub(r"(室|户)$", "", room)
            address = Address(street, building, entrance, room)
        else:
            return None
        limits = (("street", 100), ("building", 20), ("entrance", 10), ("room", 20))
        for attribute, limit in limits:
            if len(getattr(address, attribute)) > limit:
                row.error(
                    "address" if text else attribute,
                    _("The address part “%(part)s” is longer than %(limit)d characters.")
                    % {"part": getattr(address, attribute)[:30], "limit": limit},
                )
                return None
        if not address.street:
            row.error("address" if text else "street", _("The address has no street."))
            return None
        return address

    def _household(self, row: SourceRow, grid_id: int | None) -> PlannedHousehold | None:
        number = _nospace(row.text("household_number"))
        address = self._address(row)
        if row.errors:
            return None
        if len(number) > 30:
            row.error("household_number", _("Household number is longer than 30 characters."))
            return None
        if number:
            key: tuple = ("number", number)
        elif address is not None:
            key = ("address", *address.key)
        else:
            return None
        planned = self.planned.get(key)
        if planned is not None:
            return planned

        existing = self._registered_household(row, number, address, grid_id)
        if row.errors:
            return None
        if existing is not None:
            planned = _planned_from_registry(key, row.number, existing, address, grid_id)
        else:
            if address is None:
                row.error(
                    "address" if row.has_column("address") else "household_number",
                    _("Household %(number)s is not in the registry yet: give its address.")
                    % {"number": number},
                )
                return None
            planned = PlannedHousehold(
                key=key, row=row.number, pk=None, number=number, address=address,
                grid_id=grid_id, needs_number_check=bool(number),
            )  # fmt: skip
        self.planned[key] = planned
        return planned

    def _registered_household(
        self, row: SourceRow, number: str, address: Address | None, grid_id: int | None
    ) -> tuple | None:
        """The registry's household with this number, else the one at this address (in the
        row's grid when several are); an error when the address is still ambiguous."""
        if number:
            return self.households_by_number.get(number)
        if address is None:
            return None
        matches = self.households_by_address.get(address.key, [])
        if grid_id is not None:
            matches = [m for m in matches if m[6] == grid_id] or matches
        if len(matches) > 1:
            row.error(
                "grid",
                _("Several households have this address; give the grid or the household number."),
                value=row.text("grid"),
            )
            return None
        return matches[0] if matches else None

    def _compare(self, resident: ResidentRow, existing: Existing) -> None:
        resident.pk = existing.pk
        changes = {}
        for name, value in (
            ("name", resident.name),
            ("document_type", resident.document_type),
            ("sex", resident.sex if resident.sex != Sex.UNKNOWN else ""),
            ("birth_date", resident.birth_date),
            ("phone", resident.phone),
            ("relation_to_head", resident.relation),
            ("residence_type", resident.residence_type),
            ("workplace", resident.workplace),
            ("unit_id", resident.grid_id),
        ):
            if value not in ("", None) and getattr(existing, name) != value:
                changes[name] = value
        household = resident.household
        if household is not None and (
            household.pk is None or household.pk != existing.household_id
        ):
            changes["household_id"] = household
        resident.changes = changes
        resident.outcome = UPDATED if changes else UNCHANGED

    # ------------------------------------------------------------------ all rows

    def finish(self) -> list[tuple[Any, RowError]]:
        """IDs, documents and household numbers that are new to the import's unit may
        still be registered elsewhere: people the user may change are moved here; anything
        else is an error that says no more than that."""
        dropped: list[tuple[Any, RowError]] = []
        by_id = {r.id_number: r for r in self.pending_identity if r.id_number}
        for chunk in chunked(list(by_id), LOOKUP_CHUNK):
            for values in Resident.objects.filter(id_number__in=chunk).values_list(
                "unit__path", *EXISTING_FIELDS
            ):
                resident = by_id[Existing(*values[1:]).id_number]
                self._elsewhere(resident, values, "id_number", dropped)
        by_document = {
            (r.document_type, r.document_number): r
            for r in self.pending_identity
            if r.document_number
        }
        numbers = sorted({n for _t, n in by_document})
        for chunk in chunked(numbers, LOOKUP_CHUNK):
            for values in Resident.objects.filter(document_number__in=chunk).values_list(
                "unit__path", *EXISTING_FIELDS
            ):
                existing = Existing(*values[1:])
                resident = by_document.get((existing.document_type, existing.document_number))
                if resident is not None:
                    self._elsewhere(resident, values, "document_number", dropped)

        new_numbers = {h.number: h for h in self.planned.values() if h.needs_number_check}
        taken = set()
        for chunk in chunked(list(new_numbers), LOOKUP_CHUNK):
            taken.update(
                Household.objects.filter(household_number__in=chunk).values_list(
                    "household_number", flat=True
                )
            )
        if taken:
            dropped_ids = {id(r) for r, _e in dropped}
            for resident in self._rows_of_households({id(new_numbers[n]) for n in taken}):
                if id(resident) in dropped_ids:
                    continue
                dropped.append(
                    (
                        resident,
                        self.row_error(
                            resident.row,
                            "household_number",
                            resident.household.number,
                            _(
                                "This household number is already used by a household outside "
                                "%(unit)s, the unit of this import."
                            )
                            % {"unit": self.unit.name},
                        ),
                    )
                )
        return dropped

    def _rows_of_households(self, household_ids: set[int]) -> Iterator[ResidentRow]:
        for resident in self.cleaned:
            if resident.household is not None and id(resident.household) in household_ids:
                yield resident

    def _elsewhere(self, resident: ResidentRow, values, name: str, dropped: list) -> None:
        path = values[0]
        existing = Existing(*values[1:])
        may_change = (
            self.scope_path is not None
            and path.startswith(self.scope_path)
            and Resident.objects.visible_to(self.acting_user, "change")
            .filter(pk=existing.pk)
            .exists()
        )
        if may_change:
            self._compare(resident, existing)
            return
        message = (
            _(
                "This ID number is already registered outside your jurisdiction; ask the "
                "station to transfer the person's record."
            )
            if name == "id_number"
            else _(
                "This document is already registered outside your jurisdiction; ask the "
                "station to transfer the person's record."
            )
        )
        value = resident.id_number if name == "id_number" else resident.document_number
        dropped.append((resident, self.row_error(resident.row, name, value, message)))

    # ------------------------------------------------------------------ write

    def commit(self, rows: list[ResidentRow], *, progress: Callable[[float], None] | None = None):
        user = self.acting_user
        if not Unit.objects.visible_to(user).filter(pk=self.unit.pk).exists():
            raise PermissionDenied(_("The import's unit is outside your jurisdiction."))
        history = {"user": user, "reason": self.reason[:100]}
        counts = CommitCounts()

        households = list({id(r.household): r.household for r in rows if r.household}.values())
        new_households = [h for h in households if h.pk is None]
        self._assign_numbers(new_households)
        records = [
            {
                "unit_id": h.grid_id,
                "household_number": h.number,
                "street": h.address.street,
                "building": h.address.building,
                "entrance": h.address.entrance,
                "room": h.address.room,
                "phone": h.phone,
            }
            for h in new_households
        ]
        for planned, pk in zip(new_households, insert_rows(Household, records), strict=True):
            planned.pk = pk
        insert_history(Household, records, history_type="+", **history)
        changed_households = [h for h in households if h.changes]
        self._update(Household, changed_households, history)
        counts.extra["households_created"] = len(new_households)
        counts.extra["households_updated"] = len(changed_households)

        new_residents = [r for r in rows if r.pk is None]
        for chunk in chunked(new_residents, CHUNK_SIZE):
            records = [
                {
                    "unit_id": r.grid_id,
                    "household_id": r.household.pk if r.household else None,
                    "relation_to_head": r.relation,
                    "name": r.name,
                    "document_type": r.document_type
                    or (DocumentType.RESIDENT_ID if r.id_number else DocumentType.NONE),
                    "id_number": r.id_number,
                    "document_number": r.document_number,
                    "sex": r.sex or Sex.UNKNOWN,
                    "birth_date": r.birth_date,
                    "phone": r.phone,
                    "residence_type": r.residence_type or ResidenceType.PERMANENT,
                    "workplace": r.workplace,
                }
                for r in chunk
            ]
            insert_rows(Resident, records)
            insert_history(Resident, records, history_type="+", **history)
        updated = [r for r in rows if r.outcome == UPDATED]
        self._update(Resident, updated, history)
        counts.created = len(new_residents)
        counts.updated = len(updated)
        counts.unchanged = sum(1 for r in rows if r.outcome == UNCHANGED)
        return counts

    def _update(self, model, planned: list, history: dict) -> None:
        """Write the changed fields, then a history row with each record's new state."""
        for chunk in chunked(planned, CHUNK_SIZE):
            changes = []
            for item in chunk:
                values = {}
                for name, value in item.changes.items():
                    values[name] = value.pk if isinstance(value, PlannedHousehold) else value
                changes.append((item.pk, values))
            update_rows(model, changes)
            stored = current_rows(model, [pk for pk, _values in changes])
            insert_history(model, stored.values(), history_type="~", **history)

    def _assign_numbers(self, households: list[PlannedHousehold]) -> None:
        """Households grouped by address get a number: ``<grid code>-0001`` after the last
        one of the grid."""
        unnumbered = [h for h in households if not h.number]
        by_grid: dict[int, list[PlannedHousehold]] = defaultdict(list)
        for household in unnumbered:
            by_grid[household.grid_id].append(household)
        for grid_id, members in by_grid.items():
            code = self.grid_codes.get(grid_id, "")
            prefix = f"{code}-" if 0 < len(code) <= 24 else f"G{grid_id}-"
            taken = set(
                Household.objects.filter(household_number__startswith=prefix).values_list(
                    "household_number", flat=True
                )
            )
            taken |= {h.number for h in households if h.number}
            last = max(
                (int(n[len(prefix) :]) for n in taken if n[len(prefix) :].isdigit()), default=0
            )
            for household in members:
                last += 1
                while f"{prefix}{last:04d}" in taken:
                    last += 1
                household.number = f"{prefix}{last:04d}"


def _message(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)
