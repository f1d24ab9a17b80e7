"""Which column plays which role: record ID, external IDs, names, emails, phones…

`FieldMap.detect` reads the header names (English, French, Russian, German, Spanish, Italian,
Portuguese, Dutch), and a user's
overrides (in code or in the ``[fields]`` table of the TOML config) win over
detection. Every column without a role passes through untouched.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ._types import PHONE_KINDS, PhoneKind
from .errors import ConfigError

#: Roles held by at most one column.
SINGLE_ROLES = (
    "record_id",
    "first_name",
    "last_name",
    "full_name",
    "company",
    "postcode",
    "city",
    "country",
    "birth_date",
    "created",
    "updated",
)
#: The start of the columns dedupe_kit adds to a cleaned file (``dedupe_kit extra phones``): no role of their own.
OWN_COLUMNS = "dedupe_kit "
#: Roles held by any number of columns.
MULTI_ROLES = ("external_ids", "emails", "phones", "address", "notes", "tags")
ROLES = SINGLE_ROLES + MULTI_ROLES


def fold_header(name: str) -> str:
    """``"Téléphone Mobile"`` → ``"telephone mobile"``; ``"FirstName"`` → ``"first name"``;
    ``"Student_ID__c"`` (a Salesforce custom field) → ``"student id"``."""
    name = re.sub(r"__c$", "", name.strip())
    name = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
    name = unicodedata.normalize("NFKD", name)
    name = "".join(ch for ch in name if not unicodedata.combining(ch))
    return re.sub(r"[^\w#]+|_", " ", name.lower()).strip()  # letters of every script: "Телефон" → "телефон"


_EMAIL = r"(?:e ?mail|courriel|mail|электронная почта|эл почта|почта|(?:электроннои|эл) почты)"  # "Адрес эл. почты"
_PHONE_WORDS = (r"(?:phone|telephone|tel|mobile|cell|cellphone|portable|gsm|fax|landline|fixe"
                r"|телефоны?|телефона|тел|мобильныи|сотовыи"  # "Телефоны", "Номер телефона"
                r"|telefon|telefono|telefone|telefoon|telefax|mobil|mobiel|movil|celular|cellulare|handy|mobiltelefon"
                r"|(?:telefon|telefoon|mobiltelefon|mobil|mobiel|handy|ruf)nummer)")  # German, Spanish, Italian…
_ID_WORDS = r"(?:id|identifier|identifiant|number|num|no|nr|code|#)"
_KIND_WORDS = r"(?:work|home|other|personal|business|private|primary|secondary|main|alternate|alternative)"
_WHOSE = r"(?:(?:contact|record|person|lead|customer) )?"  # Pipedrive's "Person - Add time"
_PLACE = r"(?:(?:mailing|billing|home|shipping|postal address|default address|address ?\d?) )?"  # Dynamics' "Address 1: City"
_PLACE_AFTER = r"(?: (?:home|work|business|mailing|billing|shipping))?"  # Constant Contact's "City - Home"
_UTC = r"(?: utc| gmt)?"  # Stripe's "Created (UTC)"

#: (role, pattern over the folded header). Earlier rules win, so the more
#: specific ones come first. Patterns must match the whole folded header.
DETECTION_RULES: tuple[tuple[str, str], ...] = (
    ("record_id", r"(?:mainstay|admit ?hub)(?: admit ?hub)? id"),  # Mainstay's own key, before its CRM ID
    ("record_id", r"(?:contact|record|crm|lead|person|row|salesforce|hubspot|keap|copper|intercom|object) ?id"),
    ("record_id", r"do not modify (?:contact|lead|account|customer)"),  # Dynamics 365's "(Do Not Modify) Contact"
    ("record_id", r"(?:datensatz|kontakt) ?id|id (?:(?:de|del|do|da|della) )?(?:registro|record|contacto|contato"
                  r"|contatto)"),  # HubSpot's "Record ID" in German, Spanish, Italian, Portuguese
    ("record_id", r"id|identifiant|uid|(?:contact|record) (?:number|no|key)"),
    ("external_ids", r"crm ?id"),  # beside another record ID (Mainstay's): the person's ID in the CRM
    (
        "external_ids",
        r"(?:(?:external|unique) )?(?:student|customer|client|member|membership|employee|patient|external|unique"
        r"|national|passport|loyalty|applicant|learner|alumni|donor|supporter|ssn) ?" + _ID_WORDS + "|ext ?id",
    ),
    (
        "external_ids",
        r"(?:numero|num|no|n|identifiant|code) (?:etudiant|client|adherent|membre|eleve|externe"
        r"|unique|dossier|patient)|matricule|ine",
    ),
    ("external_ids", r"внешнии (?:id|идентификатор|код)|номер (?:клиента|карты|студента)|табельныи номер|инн|снилс"),
    ("external_ids", r"(?:kunden|mitglieds|matrikel|personal|klant|lid|student)(?:nummer| ?nr)|externe (?:id|kennung)"
                     r"|(?:numero|codigo|codice) (?:de |di |do )?(?:cliente|socio|alumno|aluno|studente)"
                     r"|id (?:externo|esterno)"),
    # Outlook's "E-mail 2 Address", Google Contacts' "E-mail 1 - Value" (not its "- Label" or "- Type"), not a flag
    # ("No Email", "Unsubscribed Email": yes or no, as HubSpot's "Unsubscribed from all email", Keap's "Email Status")
    ("emails", r"(?!(?:no|not|opt(?:ed)?|opt ?out|unsubscribed?|dont) )(?:\w+ )?" + _EMAIL
               + r"s?(?: ?\d+)?(?: address(?:es)?| adresses?)?(?: ?\d+)?(?: " + _KIND_WORDS + r")?(?: value)?"),
    ("emails", r"adresse (?:e ?mail|electronique|courriel)(?: \d+)?"),
    ("emails", r"(?:(?:direccion|indirizzo|endereco) (?:de |di )?)?(?:correo(?: electronico)?|e ?mail)(?: \d+)?"
               r"|e ?mailadres(?:sen)?(?: \d+)?|posta elettronica|correio eletronico"),
    ("first_name", _WHOSE + r"(?:first ?name|first|given ?name|given|forename)|prenom|имя"),  # Pipedrive's "Person - First name"
    ("first_name", r"vorname|nombre|nome|primeiro nome|voornaam"),  # see _NAME
    ("last_name", _WHOSE + r"(?:last ?name|last|surname|family name)|nom(?: de famille| de naissance)?|фамилия"),
    ("last_name", r"nachname|familienname|(?:primer )?apellidos?|apellido (?:s|1|paterno)|apellido1|cognome|sobrenome"
                  r"|apelidos?|ultimo nome|achternaam"),
    ("full_name", r"(?:full |contact |display |person |customer |client |member |student |patient )?name|nom complet|(?:prenom et nom|nom et prenom)|фио|полное имя"),
    ("full_name", r"vollstandiger name|nombre completo|nome completo|volledige naam|naam"),
    ("phones", r"(?:work|office|direct) number|(?:sms|whatsapp)(?: number| phone)?"),  # Freshsales', Brevo's
    # not Spanish "Tipo de teléfono" (Russian "Тип телефона"), nor an assistant's number (Salesforce's "Asst. Phone"),
    # nor a consent (`CONSENT_HEADERS`: Salesforce's "HasOptedOutOfFax", Dynamics' "Do not allow Phone Calls")
    ("phones", r"(?!(?:tipo|typ|тип) |(?:asst|assistant)\b|.*\b(?:opt(?:ed)?|do ?not|dont|unsubscribed)\b).*\b"
               + _PHONE_WORDS + r"s?\b(?!.*\b(?:type|label|opt|consent|verified|status|ext|extension|country|carrier"
               r"|typ|tipo)\b).*"),
    ("company", r"(?:person |contact |default address )?(?:company(?: name| account)?|organi[sz]ation(?: \d)?(?: name)?)|employer|account name|business name|societe|entreprise|raison sociale|organisme"
                "|компания|организация|название компании"),
    ("company", r"firma|firmenname|unternehmen(?:sname)?|name des unternehmens|empresa|nombre de la empresa"
                r"|nome da empresa|azienda|nome azienda|societa|ditta|bedrijf|bedrijfsnaam|organisatie"
                r"|nom de l entreprise"),
    ("company", r"(?:primary )?associated company(?: primary)?"),  # HubSpot's: after its own company name
    ("address", r"(?:mailing |billing |home |street |default address )?(?:address|street|addr)(?: line)?(?: ?\d)?(?: street)?"
                + _PLACE_AFTER + r"|adresse(?: postale)?(?: \d)?|rue|адрес"),
    ("address", r"stra(?:ss|ß)e|anschrift|direccion|calle|indirizzo|endereco|morada|adres|straat"),
    ("postcode", _PLACE + r"(?:zip|zip ?code|postcode|postal ?code|post ?code|zip postal code)" + _PLACE_AFTER + r"|code postal|cp|(?:почтовыи )?индекс"),
    ("postcode", r"plz|postleitzahl|codigo postal|cap|codice postale|cep"),
    ("city", _PLACE + r"(?:city|town|suburb)" + _PLACE_AFTER + r"|ville|commune|locality|город|населенныи пункт"),
    ("city", r"ort|wohnort|stadt|ciudad|localidad|poblacion|citta|localita|comune|cidade|localidade|plaats|woonplaats"),
    ("country", _PLACE + r"country(?: region| code)?" + _PLACE_AFTER + r"|pays|страна"),
    ("country", r"(?:land|pais|paese)(?: region| regione| regio)?|nazione"),
    ("birth_date", r"dob|date of birth|birth ?date|birthday|date de naissance|naissance|дата рождения|день рождения"),
    ("birth_date", r"geburtsdatum|geburtstag|fecha de nacimiento|data di nascita|data de nascimento|geboortedatum"),
    ("created", _WHOSE + r"(?:created(?: date| at| on| time)?|add time)" + _UTC + "|date created|creat(?:e|ion) (?:date|time)"
                r"|date de creation|date added|added (?:on|at|time)|signed up|opt ?in time|дата создания"),  # Mailchimp's OPTIN_TIME
    ("created", r"erstellt am|erstell(?:ungs)?datum|fecha de creacion|data di creazione|data de criacao|aanmaakdatum"),
    ("updated", r"(?:do not modify )?" + _WHOSE + r"(?:last )?(?:modified|updated|update|changed)(?: date| at| on| time)?" + _UTC + "|date (?:modified|updated)"
                r"|date de (?:modification|mise a jour)|дата (?:изменения|обновления)"),
    ("updated", r"(?:zuletzt )?geandert(?: am)?|anderungsdatum|fecha de (?:modificacion|actualizacion)"
                r"|ultima modifica(?:cion)?|data (?:di|de) (?:modifica|modificacao|atualizacao)|laatst gewijzigd"),
    ("notes", _WHOSE + r"notes?|comments?|remarks?|description|remarques?|commentaires?|комментарии|примечания?|заметки"),
    ("notes", r"notiz(?:en)?|bemerkung(?:en)?|anmerkung(?:en)?|notas?|comentarios?|observaciones|commenti"
              r"|observacoes|notities|opmerkingen"),
    ("tags", _WHOSE + r"(?:tags?|labels?)|group membership|etiquettes?|segments?|теги|метки"),
    ("tags", r"schlagworte|etiquetas?|etichette"),
)

_PHONE_KIND_RULES: tuple[tuple[PhoneKind, str], ...] = (
    ("fax", r"\bfax\b"),
    ("fax", r"\btelefax\b"),
    ("mobile", r"\b(?:mobile|cell|cellphone|portable|gsm|sms|whatsapp|мобильныи|сотовыи)\b"),
    ("mobile", r"\b(?:mobil|mobiel|movil|celular|cellulare|handy|mobiltelefon|(?:mobil|mobiel|handy)(?:telefon)?nummer)"
               r"\b"),
    ("home", r"\b(?:home|domicile|fixe|landline|house|maison|personnel|домашнии)\b"),
    ("home", r"\b(?:privat|casa|domicilio|thuis|prive|residencial|fijo|fisso|festnetz)\b"),
    ("work", r"\b(?:work|office|business|bureau|pro|professionnel|direct|company|entreprise|рабочии)\b"),
    ("work", r"\b(?:geschaftlich|dienstlich|buro|arbeit|trabajo|oficina|lavoro|ufficio|trabalho|comercial|werk"
             r"|zakelijk|kantoor)\b"),
)


#: (merge rule, pattern searched in the folded header) of a column that says whether the person may be contacted,
#: whose merge keeps the most restrictive answer of a group (see `dedupe_kit.merge.refusals`): ``opt_out`` where
#: TRUE means no (Salesforce's Email Opt Out, Do Not Call, HasOptedOutOfEmail; HubSpot's Unsubscribed from all
#: email; Brevo's EMAIL_BLACKLISTED), ``opt_in`` where TRUE means yes (Mainstay's Permitted To Text, SMS Opt-in,
#: GDPR consent, Keap's Email Status, HubSpot's Marketing contact status); not a column about the answer (Opt-in
#: Date, Consent Source, Unsubscribe reason), nor Dynamics' (Do Not Modify) columns. Earlier rules win.
CONSENT_HEADERS: tuple[tuple[str, str], ...] = (
    ("", r"\b(?:dates?|time|timestamp|at|on|since|until|source|reason|method|ip|type|by|form|url|ids?|notes?"
         r"|language|version|wording|history|count|level|set|do not modify)\b"),
    ("opt_out", r"\b(?:opt(?:ed)? ?outs?|unsubscribed?|do ?not|dont|dnc|blacklisted|blocklisted)\b"),
    ("opt_in", r"\b(?:opt(?:ed)? ?ins?|permitted|permission|consent(?:ed|s)?|subscribed|marketable"
               r"|(?:can|ok to|may|allows?|allowed to) (?:text|sms|call|phone|e ?mail|contact|market(?:ing)?))\b"
               r"|\b(?:e ?mail|sms|text|marketing(?: contact)?|subscription) status$"),
)


def consent_rule(header: str) -> str:
    """The merge rule of a column whose header says it holds the person's consent to be contacted (`CONSENT_HEADERS`):
    ``opt_in`` or ``opt_out``, else ``""``.

    >>> [consent_rule(h) for h in ("Permitted To Text", "HasOptedOutOfEmail", "Opt-in Date", "Email Status")]
    ['opt_in', 'opt_out', '', 'opt_in']
    """
    folded = fold_header(header)
    return next((rule for rule, pattern in CONSENT_HEADERS if re.search(pattern, folded)), "")


#: Headers (folded) of a column, beside the last name's, that holds a part of the last name, and has no role of
#: its own (it passes through): the Dutch prefix before it (``Tussenvoegsel``: "van der" Berg), a Spanish second
#: surname after it (``Segundo apellido``, ``Apellido 2``: García "López")
LAST_NAME_PREFIX_HEADERS = ("tussenvoegsel", "tussenvoegsels", "voorvoegsel", "voorvoegsels")
SECOND_SURNAME_HEADERS = ("segundo apellido", "apellido 2", "apellido2", "apellido materno")

#: Spanish, Italian and Portuguese for "name": the first name beside a last-name column, else the whole name.
_NAME = ("nombre", "nome")
_BESIDE = re.compile(r"(.+) (type|kind|label|ext|extension)")  # Keap's "Phone 2 Type", "Phone 2 Ext"


def phone_kind(header: str) -> PhoneKind:
    """The kind of a phone column, read from its header (``"other"`` when it says nothing); also
    of one number, read from its type (``"Work Fax"``)."""
    folded = fold_header(header)
    for kind, pattern in _PHONE_KIND_RULES:
        if re.search(pattern, folded):
            return kind
    return "other"


@dataclass(frozen=True)
class FieldMap:
    """The role of each column of an export.

    Single roles hold one column name or ``None``; ``external_ids``, ``emails``,
    ``address`` (street lines), ``notes`` and ``tags`` hold column names; ``phones`` holds
    ``(column, kind)`` pairs.
    Every column not named here passes through untouched.
    """

    record_id: str | None = None
    external_ids: tuple[str, ...] = ()
    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = None
    emails: tuple[str, ...] = ()
    phones: tuple[tuple[str, PhoneKind], ...] = ()
    company: str | None = None
    address: tuple[str, ...] = ()
    postcode: str | None = None
    city: str | None = None
    country: str | None = None
    birth_date: str | None = None
    created: str | None = None
    updated: str | None = None
    notes: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @classmethod
    def detect(
        cls,
        columns: Sequence[str],
        overrides: Mapping[str, Any] | None = None,
        *,
        source: str = "the configuration",
        header: str = "the file's header",
    ) -> FieldMap:
        """Detect roles from header names, then apply ``overrides``.

        ``overrides`` maps a role to a column (single roles), a list of columns,
        or ``None``/``[]`` for "no column has this role"; ``phones`` may also be a
        ``{column: kind}`` table. ``ignore`` names a column, or lists columns, that must keep no role.
        Columns named in overrides are taken away from any detected role. ``source`` (the config file) and
        ``header`` (the header of the file it names) are named in the error of an override that does not fit.
        """
        overrides = _as_spelled(dict(overrides or {}), columns)
        explicit = cls._from_overrides(overrides, columns, source, header)
        claimed = set(explicit.columns()) | set(_as_columns("ignore", overrides.get("ignore")))  # one, or a list
        found: dict[str, Any] = {role: [] for role in MULTI_ROLES}
        taken: set[str] = set(claimed)
        for role, pattern in DETECTION_RULES:
            if role in overrides:
                continue
            regex = re.compile(pattern)
            for column in columns:
                if column in taken or column.startswith(OWN_COLUMNS) or not regex.fullmatch(fold_header(column)):
                    continue
                if role in MULTI_ROLES:
                    found[role].append(column)
                elif role not in found:
                    found[role] = column
                else:
                    continue
                taken.add(column)
        if "last_name" not in found and "full_name" not in found and fold_header(found.get("first_name", "")) in _NAME:
            found["full_name"] = found.pop("first_name")  # Spanish "Nombre" alone: the whole name
        phones = found.pop("phones")
        detected = {**{role: tuple(found.pop(role)) for role in MULTI_ROLES if role != "phones"},
                    "phones": tuple((c, phone_kind(c)) for c in phones), **found}
        for role in overrides:
            if role != "ignore":
                detected[role] = getattr(explicit, role)
        return cls(**detected)

    @classmethod
    def _from_overrides(cls, overrides: Mapping[str, Any], columns: Sequence[str], source: str,
                        header: str) -> FieldMap:
        problems = []
        unknown_roles = sorted(set(overrides) - set(ROLES) - {"ignore"})
        for role in unknown_roles:
            problems.append(f"unknown role {role!r} (use one of: {', '.join(ROLES + ('ignore',))})")
        values: dict[str, Any] = {}
        given: dict[str, str] = {}  # column -> the first role it was given
        for role, value in overrides.items():
            if role in unknown_roles:
                continue
            named = _as_columns(role, value)
            if isinstance(named, str):
                problems.append(named)
                continue
            for at, column in enumerate(named):
                first = given.setdefault(column, role)  # a record ID may double as another identifier, no other role
                if first != role and ("record_id" not in (first, role) or "ignore" in (first, role)):
                    problems.append(f"{role}: column {column!r} is also under {first}; give each column one role")
                elif column in named[:at]:
                    problems.append(f"{role}: column {column!r} is named twice; name each column once")
                if column not in columns:
                    close = difflib.get_close_matches(column, list(columns), n=1)
                    hint = f"; did you mean {close[0]!r}?" if close else ""
                    problems.append(f"{role}: column {column!r} is not in {header}{hint}")
            if role == "phones":
                kinds = value if isinstance(value, Mapping) else {}
                for column, kind in kinds.items():
                    if kind not in PHONE_KINDS:
                        problems.append(f"phones: kind {kind!r} of {column!r} must be one of {', '.join(PHONE_KINDS)}")
                values[role] = tuple((c, kinds.get(c) or phone_kind(c)) for c in named)
            elif role in MULTI_ROLES:
                values[role] = tuple(named)
            elif role in SINGLE_ROLES:
                values[role] = named[0] if named else None
        if problems:
            raise ConfigError(f"{source}: invalid [fields] mapping:\n  - " + "\n  - ".join(problems))
        return cls(**values)

    @property
    def key(self) -> str | None:
        """The column an import of the fix files finds a contact by: the record ID, else the first
        email (Mailchimp and the like match on it); ``None`` when there is neither."""
        return self.record_id or (self.emails[0] if self.emails else None)

    def beside(self, columns: Iterable[str]) -> dict[str, tuple[str, str]]:
        """The columns that describe a phone or email column's value, by their folded name: ``Phone 2
        Type`` and ``Phone 2 Ext`` beside Keap's ``Phone 2``, ``Phone 2 - Type`` beside Google Contacts'
        ``Phone 2 - Value``, as ``{column: (its phone or email column, suffix)}``."""
        described = {re.sub(r" value$", "", fold_header(c)): c for c in self.columns("emails") + self.columns("phones")}
        found = {}
        for column in columns:
            if (m := _BESIDE.fullmatch(fold_header(column))) and m[1] in described:
                found[column] = described[m[1]], m[2]
        return found

    def last_name_columns(self, columns: Iterable[str]) -> tuple[str, ...]:
        """The columns whose words make the last name, in their order: a Dutch prefix's
        (`LAST_NAME_PREFIX_HEADERS`), the last name's, a Spanish second surname's (`SECOND_SURNAME_HEADERS`);
        none without a last-name column.

        >>> FieldMap(last_name="Achternaam").last_name_columns(["Voornaam", "Tussenvoegsel", "Achternaam"])
        ('Tussenvoegsel', 'Achternaam')
        """
        if self.last_name is None:
            return ()
        free = [column for column in columns if column not in self.role_of()]
        prefixes = [column for column in free if fold_header(column) in LAST_NAME_PREFIX_HEADERS]
        seconds = [column for column in free if fold_header(column) in SECOND_SURNAME_HEADERS]
        return (*prefixes, self.last_name, *seconds)

    def columns(self, role: str | None = None) -> tuple[str, ...]:
        """Columns that have ``role`` (or any role), in role order."""
        out: list[str] = []
        for name in ROLES if role is None else (role,):
            value = getattr(self, name)
            if name == "phones":
                out.extend(column for column, _ in value)
            elif isinstance(value, tuple):
                out.extend(value)
            elif value is not None:
                out.append(value)
        return tuple(out)

    def role_of(self) -> dict[str, str]:
        """The role of each column that has one."""
        return {column: role for role in self.__dataclass_fields__ for column in self.columns(role)}

    def to_frame(self, columns: Iterable[str]) -> pd.DataFrame:
        """One row per column of the file: its role (``""`` = passes through) and phone kind."""
        role_of: dict[str, tuple[str, str]] = {}
        for role in ROLES:
            for column in self.columns(role):
                role_of[column] = (role, dict(self.phones).get(column, "") if role == "phones" else "")
        rows = [(c, *role_of.get(c, ("", ""))) for c in columns]
        return pd.DataFrame(rows, columns=["column", "role", "kind"])

    def to_dict(self, columns: Iterable[str] = ()) -> dict[str, Any]:
        """The TOML ``[fields]`` form: every role, ``phones`` as ``{column: kind}``.

        Given the file's ``columns``, those without a role are listed under
        ``ignore``, so that loading with this mapping gives the same roles.
        """
        mapped = set(self.columns())
        out: dict[str, Any] = {"ignore": [c for c in columns if c not in mapped]} if columns else {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "phones":
                out[f.name] = dict(value)
            elif isinstance(value, tuple):
                out[f.name] = list(value)
            elif value is not None:
                out[f.name] = value
        return out

    def __str__(self) -> str:
        lines = []
        for role in ROLES:
            cols = self.columns(role)
            if role == "phones":
                shown = ", ".join(f"{c!r} ({k})" for c, k in self.phones)
            else:
                shown = ", ".join(repr(c) for c in cols)
            lines.append(f"  {role:<13} {shown or '-'}")
        return "column roles:\n" + "\n".join(lines)


def _as_spelled(overrides: dict[str, Any], columns: Sequence[str]) -> dict[str, Any]:
    """``overrides`` with each column named as the header spells it (see `as_spelled`).

    >>> _as_spelled({"first_name": "Pr\\u00e9nom", "ignore": ["x"]}, ["Pre\\u0301nom"]) == {
    ...     "first_name": "Pre\\u0301nom", "ignore": ["x"]}
    True
    """
    return {role: as_spelled(value, columns) for role, value in overrides.items()}


def as_spelled(names: Any, columns: Sequence[str]) -> Any:
    """``names`` (a column's name, a list or tuple of names, or a table keyed by names) with each column named
    as the header ``columns`` spells it, where the two differ only by the Unicode form: a macOS export writes
    ``Prénom`` decomposed (``e`` then a combining accent), a config composed. Other names are left as they are.

    >>> as_spelled({"Pr\\u00e9nom": "longest", "x": "fill"}, ["Pre\\u0301nom"]) == {
    ...     "Pre\\u0301nom": "longest", "x": "fill"}
    True
    """
    spelled = {unicodedata.normalize("NFC", c): c for c in columns}

    def as_header(name: Any) -> Any:
        if not isinstance(name, str) or name in columns:
            return name
        return spelled.get(unicodedata.normalize("NFC", name), name)

    if isinstance(names, Mapping):
        return {as_header(k): v for k, v in names.items()}
    if isinstance(names, (list, tuple)):
        return type(names)(as_header(v) for v in names)
    return as_header(names)


def _as_columns(role: str, value: Any) -> list[str] | str:
    """The column names in an override value, or a message saying why it is wrong."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if role == "phones" and isinstance(value, Mapping):
        value = list(value)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        if role in SINGLE_ROLES and len(value) > 1:
            return f"{role}: give one column, not {len(value)}"
        return list(value)
    return f"{role}: expected a column name or a list of column names, got {value!r}"
