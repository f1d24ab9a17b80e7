"""Person names: folding (case, accents, punctuation, titles) and nicknames."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from nameparser import HumanName
from nameparser.config import Constants
from nicknames import NickNamer
from rapidfuzz.distance import OSA

#: Letters that Unicode decomposition leaves alone but people type without.
_EXTRA_FOLDS = str.maketrans({"ø": "o", "ł": "l", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "þ": "th", "ı": "i"})
_APOSTROPHES = re.compile(r"['’‘`´]")
_NOT_ALNUM = re.compile(r"[\W_]+")  # letters of every script stay

_CYRILLIC = re.compile(r"[а-я]+")  # a folded word
_PATRONYMIC = re.compile(r"(?:ович|евич|ич|овна|евна|ична)$")  # Петрович, Сергеевич, Ильич, Петровна, Ильинична
_WOMANS_PATRONYMIC = re.compile(r"(?:овна|евна|ична)$")  # no last name ends so, as Абрамович, Шостакович do
#: Men's patronymics of common first names, folded (Петрович, Сергеевич): of two words, as Иван Петрович, a
#: patronymic, where Абрамович and Шостакович are last names
_MENS_PATRONYMICS = frozenset(
    "александрович алексеевич анатольевич анатолиевич андреевич антонович аркадьевич артемович артурович борисович "
    "вадимович валентинович валерьевич валериевич васильевич викторович витальевич виталиевич владимирович "
    "владиславович вячеславович геннадьевич геннадиевич георгиевич германович глебович григорьевич данилович "
    "денисович дмитриевич евгеньевич евгениевич егорович иванович игоревич ильич кириллович константинович "
    "леонидович львович максимович маркович матвеевич михаилович никитич николаевич олегович павлович петрович "
    "романович русланович семенович сергеевич станиславович степанович тимофеевич тимурович федорович филиппович "
    "эдуардович юрьевич юриевич яковлевич ярославович".split())
HONORIFICS = frozenset(
    "mr mrs ms miss mx dr prof sir dame lady lord rev fr mme mlle monsieur madame mademoiselle docteur pr me".split()
    # German, Spanish, Italian and Dutch ones (not Don, Sig nor Pan, which are also names)
    + "herr frau senor senora sra srta signor signora dott dhr mevr mevrouw dipl".split()
)
#: The field of a German doctor's or engineer's degree after its title: "Dr. med.", "Dr. rer. nat.", "Dipl.-Ing."
#: (not Phil, Nat nor Pol, which are also names: after "rer" only)
_DEGREE_FIELDS = frozenset("med rer jur dent vet oec sc techn theol habil hc mult ing".split())
SUFFIXES = frozenset("jr jnr junior filho hijo fils sr snr ii iii iv phd md dds esq cpa mba rn".split())
#: The suffixes that tell a father from his son of the same name, each as one spelling (Portuguese
#: "Filho", Spanish "hijo" and French "fils" are a son's Junior; "Senior" and "Neto" are also last names, and
#: are left as names)
GENERATIONS = {"jr": "jr", "jnr": "jr", "junior": "jr", "filho": "jr", "hijo": "jr", "fils": "jr", "sr": "sr",
               "snr": "sr", "ii": "ii", "iii": "iii", "iv": "iv"}


def fold(text: str) -> str:
    """Case-, accent- and punctuation-folded text: ``" O’Brien-Lefèvre "`` → ``"obrien lefevre"``."""
    if text.isascii():  # nothing to decompose, no accent to drop
        text = text.lower()
    else:
        text = unicodedata.normalize("NFKD", text.casefold())
        text = "".join(ch for ch in text if not unicodedata.combining(ch)).translate(_EXTRA_FOLDS)
    text = _APOSTROPHES.sub("", text)
    return _NOT_ALNUM.sub(" ", text).strip()


def fold_name(text: str) -> str:
    """A folded person name without honorifics (``Dr``, ``Mme``) or suffixes (``Jr``, ``III``)."""
    tokens = fold(text).split()
    while len(tokens) > 1 and tokens[0] in HONORIFICS:
        title = tokens.pop(0)
        while title in ("dr", "dipl") and len(tokens) > 1 and tokens[0] in _DEGREE_FIELDS:
            if tokens.pop(0) == "rer" and len(tokens) > 1:  # rer. nat., rer. pol.
                tokens.pop(0)
    while len(tokens) > 1 and tokens[-1] in SUFFIXES:
        tokens.pop()
    return " ".join(tokens)


def generation(text: str) -> str:
    """The generation a name ends with, ``""`` when none (`fold_name` leaves it out).

    >>> generation("Kessler Jr."), generation("Robert Kessler, Snr"), generation("Henry III"), generation("Jr")
    ('jr', 'sr', 'iii', '')
    >>> generation("Kessler Junior"), generation("João Silva Filho"), generation("Robert Senior")
    ('jr', 'jr', '')
    >>> generation("Juan García hijo"), generation("Jean Dupont fils")
    ('jr', 'jr')
    """
    words = fold(text).split()
    return GENERATIONS.get(words[-1], "") if len(words) > 1 else ""


def split_full_name(text: str) -> tuple[str, str]:
    """``"Dr. Jean de la Fontaine Jr"`` → ``("jean", "de la fontaine")``; ``"Smith, Bob"`` → ``("bob", "smith")``;
    ``"Docteur Marie Dupont"`` → ``("marie", "dupont")``; ``"J. Paul Getty"`` → ``("paul", "getty")``;
    ``"DUPONT Marie"``, its last name first in capitals → ``("marie", "dupont")``.

    A Russian name with a patronymic is read in either of its orders, the patronymic left out; of two
    words, the second is a last name that ends as a man's patronymic does (a full name holds a last name),
    unless a common first name's patronymic:

    >>> split_full_name("Иванова Мария Петровна"), split_full_name("Сергей Иванович Петров")
    (('мария', 'иванова'), ('сергеи', 'петров'))
    >>> split_full_name("Роман Абрамович"), split_full_name("Мария Петровна"), split_full_name("Иван Петрович")
    (('роман', 'абрамович'), ('мария', ''), ('иван', ''))
    """
    if russian := _russian_name(fold_name(text).split()):
        return russian[:2]
    name = HumanName(_surname_first(text), constants=_name_constants())
    first, middle = fold_name(name.first), fold_name(name.middle).split(" ")[0]
    if len(first) == 1 and len(middle) > 1:  # "J. Paul Getty" goes by Paul; "M. Paul Martin" is Monsieur Paul
        first = middle
    return first, fold_name(name.last)


def _surname_first(text: str) -> str:
    """``text`` as "Last, First" when it starts with its last name in capitals, as French, Spanish and
    Russian forms write it (an initial or two, as in "JP Dupont", does not count).

    >>> _surname_first("DUPONT Jean-Pierre"), _surname_first("Mme GARCÍA LÓPEZ María José")
    ('DUPONT, Jean-Pierre', 'GARCÍA LÓPEZ, Mme María José')
    >>> _surname_first("JP Dupont"), _surname_first("JOHN SMITH"), _surname_first("John SMITH")
    ('JP Dupont', 'JOHN SMITH', 'John SMITH')
    """
    words = text.split()
    start = next((at for at, word in enumerate(words) if fold(word) not in HONORIFICS), len(words))
    end = next((at for at in range(start, len(words)) if not words[at].isupper() or fold(words[at]) in SUFFIXES),
               len(words))
    given = [word for word in words[end:] if fold(word) not in SUFFIXES]
    if end == start or not given or "," in text or max(len(fold(word)) for word in words[start:end]) < 3:
        return text
    return f"{' '.join(words[start:end])}, {' '.join(words[:start] + words[end:])}"


def _russian_name(words: list[str], given: bool = False) -> tuple[str, str, str] | None:
    """The first name, last name and patronymic of a folded Russian name with a patronymic, else ``None``.
    Of two words, the second is a patronymic when a woman's or a common first name's (Иван Петрович), or when
    ``given``: the words are a first-name cell's, whose last name has a column of its own; else it is a last
    name (Роман Абрамович)."""
    if 2 <= len(words) <= 3 and all(_CYRILLIC.fullmatch(word) for word in words):
        if _PATRONYMIC.search(words[1]) and (len(words) == 3 or given or _WOMANS_PATRONYMIC.search(words[1])
                                             or words[1] in _MENS_PATRONYMICS):
            # Имя Отчество [Фамилия]
            return words[0], " ".join(words[2:]), words[1]
        if len(words) == 3 and _PATRONYMIC.search(words[2]):  # Фамилия Имя Отчество, as forms ask
            return words[1], words[0], words[2]
    return None


def patronymic(text: str, alone: bool = False, given: bool = False) -> str:
    """The patronymic in a Russian name, folded (``""`` when it has none); ``alone``: ``text`` is the
    cell of a patronymic column (RetailCRM's ``Отчество``), a patronymic or its initial; ``given``:
    ``text`` is the cell of a first-name column beside a last-name column ("Иван Петрович").

    >>> patronymic("Иванова Мария Петровна"), patronymic("Сергей Иванович Петров")
    ('петровна', 'иванович')
    >>> patronymic("Мария Иванова"), patronymic("Mary Jones"), patronymic("Роман Абрамович")
    ('', '', '')
    >>> patronymic("Иван Петрович", given=True), patronymic("Мария Петровна")
    ('петрович', 'петровна')
    >>> patronymic("Семёнович", alone=True), patronymic("С.", alone=True), patronymic("нет", alone=True)
    ('семенович', 'с', '')
    """
    if alone:
        folded = fold(text)
        return folded if _CYRILLIC.fullmatch(folded) and (len(folded) == 1 or _PATRONYMIC.search(folded)) else ""
    russian = _russian_name(fold_name(text).split(), given)
    return russian[2] if russian else ""


@lru_cache(maxsize=1)
def _name_constants() -> Constants:
    """nameparser's titles and suffixes with ours (``Docteur``, ``Pr``, ``Filho``), which it does not
    know: "Docteur Jean Dupont" is Jean, not Docteur (a copy: nameparser's own stay as they are)."""
    constants = Constants()
    constants.titles.add(*HONORIFICS)
    constants.suffix_not_acronyms.add(*(SUFFIXES - constants.suffix_acronyms))
    return constants


def as_written(text: str, part: str) -> str:
    """The words of ``text`` that fold to ``part``, as they are written there (``part`` when none do).

    >>> as_written("Dr. Zoë Müller-Lévy", "muller levy"), as_written("Smith, Bob", "smith")
    ('Müller-Lévy', 'Smith')
    """
    words = text.split()
    folded = [fold(word) for word in words]
    for i in range(len(words)):
        for j in range(i + 1, len(words) + 1):
            joined = " ".join(f for f in folded[i:j] if f)
            if joined == part:
                return " ".join(words[i:j]).strip(",;")
            if len(joined) >= len(part):
                break
    return part


#: Russian diminutives (RetailCRM and other Russian exports hold the names people typed in a
#: form: Маша for Мария), which the English list of `nicknames` lacks: formal name, then its
#: diminutives. Folded as every name is (Сергей → сергеи, Алёша → алеша).
RUSSIAN_DIMINUTIVES = """
александр: саша шура саня алекс; александра: саша шура саня; алексей: леша алеша; анастасия: настя;
анатолий: толя; андрей: андрюша; анна: аня анюта; антон: антоша тоша; артем: тема; борис: боря;
валентин: валя; валентина: валя; валерий: валера; василий: вася; виктор: витя; виктория: вика;
владимир: вова володя; владислав: влад слава; вячеслав: слава; галина: галя; геннадий: гена;
георгий: жора гоша; григорий: гриша; дарья: даша; дмитрий: дима митя; евгений: женя; евгения: женя;
екатерина: катя; елена: лена; елизавета: лиза; иван: ваня; ирина: ира; константин: костя;
ксения: ксюша; леонид: леня; любовь: люба; людмила: люда мила; маргарита: рита; мария: маша;
михаил: миша; надежда: надя; наталья: наташа; наталия: наташа; николай: коля; ольга: оля; павел: паша;
петр: петя; полина: поля; роман: рома; светлана: света; семен: сеня; сергей: сережа; софья: соня;
софия: соня; станислав: стас слава; татьяна: таня; тимофей: тима; федор: федя; юлия: юля; юрий: юра;
яков: яша; ярослав: слава
"""


#: Diminutives of Spanish, Portuguese, French, German and Italian names, Russian ones in Latin
#: letters (Pepe for José, Beppe for Giuseppe, Sasha for Alexander) and English ones (Liam for
#: William, Pippa for Philippa, Kate for Catherine), which the English list lacks: formal names, then their diminutives.
EUROPEAN_DIMINUTIVES = """
jose: pepe pepito ze juca; francisco: paco pancho curro chico; guadalupe: lupe lupita; jesus: chuy chucho;
ignacio: nacho; guillermo: memo; enrique: kike quique; dolores: lola; concepcion: concha conchita;
rosario: charo chayo; eduardo: lalo duda; eduarda: duda; antonio: tono tonho tonino; consuelo: chelo;
pilar: pili; fernando: nando; alberto roberto humberto: beto; rafael: rafa; federico federica: fede;
ramon: moncho; teresa: tere; mercedes: merche; adolfo: fito; manuel: manolo manu; emmanuel emmanuelle: manu;
santiago: santi; nicolas: nico; javier: javi; daniel daniela: dani; alejandro alejandra: alex ale;
isabel isabelle: isa chabela; luis: lucho; catalina: cata; veronica: vero; gabriela gabriele: gabi;
carolina caroline: caro carol; soledad: sole; inmaculada: inma; patricia: paty; vicente: chente;
sergio: checo; alfonso: poncho; sebastiao: tiao; augusto gustavo: guto; elisabete elizabete: bete;
leonardo: leo; sebastien sebastian: seb basti; frederic: fred; alexandre: alex; stephane: steph;
florence florian: flo; catherine: cathy; elisabeth: babeth lisa liesel sissi; valerie: val;
nathalie: nath; dominique: domi; christophe: chris; mathieu: matt; maxime: max; gregory gregoire: greg;
benoit: ben; vincent: vince; gabriel: gab; theodore: theo; johannes: hans hannes; josef: sepp jupp;
friedrich: fritz; nikolaus: klaus; ulrich: uli; stefanie: steffi; theresia: resi; margarete: gretel;
katharina: kathi; andreas: andi; tobias: tobi; wolfgang: wolfi; heinrich: heinz; wilhelm: willi;
ludwig: lutz; bernhard: bernd; rudolf: rolf; manfred: manni; helene magdalena: leni;
giuseppe: beppe peppe peppino pino; giovanni: gianni nanni; luigi: gigi; salvatore: toto turi;
francesco: ciccio franco checco; vincenzo: enzo; beatrice: bice; giuseppina: pina; riccardo: ricky;
alessandro alessandra: ale; valentina: vale;
william: liam; olivia: liv; isabella isabel: izzy; alexander: xander; evelyn: evie;
katherine catherine kathryn cathryn kathleen: kate katie kat cat kath cath cathy; philippa: pippa;
barbara: barb babs; charlotte: charlie lottie; melanie melissa melinda: mel; rosemary: rosie; suzanne: suzy;
benjamin: benji; rebekah: becky bec becca; christopher: kris; jason: jay; eleanor: nell nellie;
alison allison: ally; maureen: mo; mildred: millie; alfred: alfie; nicola: nicky; nicole: nic; angela: ang;
judith: jodie; gillian: jill gill; caroline: caz; karen: kaz; sharon: shaz; bernard: bern bernie;
bernadette: bernie; colin: col; barry: baz; gary: gaz; darren: daz; gustav gustavo: gus;
desmond: des; natalie: nat; angus augustus: gus; cassandra: cass cassie; rosalind: ros roz rosie; nigel: nige;
bronwyn: bron; finlay: fin; alfred: alf; barnaby: barney; rebecca: bec becca; natasha: tash; margaret: mags;
imogen: immy; robert: robbie; stanley: stan; susan: suzy suzie; stephen steven: stevie; ellen: ellie;
elizabeth: elsie; david: davy; jerome: jerry; edwin: ted; lillian: lily; margaret: maisie; marjorie: marge;
millicent: millie; tamara: tammy; antonia: toni; violet: vi; alexis alexandra: lexi lexie;
alexander aleksandr alexandr alexandra: sasha shura sanya; mikhail: misha; dmitry dmitri dmitriy: dima mitya;
maria mariya: masha; natalia natalya: natasha; nikolai nikolay: kolya; sergei sergey: seryozha serezha;
yevgeny evgeny evgeniy yevgeniy evgenia yevgenia: zhenya; ekaterina yekaterina: katya; elena yelena: lena;
tatiana tatyana: tanya; olga: olya; vladimir: vova volodya; pavel: pasha; pyotr petr: petya; ivan: vanya;
anastasia: nastya; daria darya: dasha; alexei alexey aleksei aleksey: alyosha lyosha; yuri yury: yura;
svetlana: sveta; irina: ira; ksenia kseniya: ksyusha; lyudmila ludmila: lyuda mila; konstantin: kostya;
viktor: vitya; anna: anya; yulia yuliya: yulya; galina: galya; nadezhda: nadya; boris: borya;
grigory grigoriy: grisha; vasily vasiliy: vasya; fyodor fedor: fedya; yakov: yasha; stanislav: stas slava;
vyacheslav yaroslav: slava; sofia sofya: sonya; polina: polya; valentin: valya; anatoly anatoliy: tolya;
gennady gennadiy: gena; georgy georgiy: zhora gosha; lyubov: lyuba; margarita: rita; roman: roma;
semyon: senya; timofey: tima; viktoria victoria: vika; valery valeriy: valera; artyom artem: tyoma
"""


#: Spellings of one name in Latin letters (transliterations of Russian names, Catherine and Katherine):
#: each is the others' nickname, so Dmitri and Dmitry are one name, not two names of their own as
#: Michael and Michelle are.
SPELLINGS = """
dmitry dmitri dmitriy; sergei sergey sergej; aleksandr alexandr alexander; alexandra aleksandra;
mikhail michail; yevgeny evgeny evgeniy yevgeniy; yevgenia evgenia evgeniya; ekaterina yekaterina;
elena yelena; natalia natalya nataliya; nikolai nikolay; tatiana tatyana; pyotr petr; daria darya;
alexei alexey aleksei aleksey; yuri yury yuriy; ksenia kseniya; lyudmila ludmila; yulia yuliya;
grigory grigoriy; vasily vasiliy; fyodor fedor; sofia sofya; anatoly anatoliy; gennady gennadiy;
georgy georgiy; valery valeriy; artyom artem; maria mariya; andrei andrey; alexei alexej; oksana oxana;
zoe zoey; ian iain; catherine katherine kathryn cathryn
"""


#: A man's name and the women's names made of it (Louis and Louise, Eric and Erica, Mario and
#: Maria): two names of their own, a couple's or twins', though one letter apart or, in the
#: nickname lists, sharing a diminutive (Lou). Folded, man's name first.
OPPOSITE_FORMS = """
louis: louise louisa; eric: erica; mario: maria; marius: maria; denis: denise; dennis: denise;
jean: jeanne jeannette; paul: paula paulette pauline; daniel: daniela danielle; robert: roberta;
roberto: roberta; carl: carla; carlo: carla; carlos: carla; antonio: antonia; anton: antonia;
julius: julia; julian: juliana julianne; julien: julienne; christian: christiane christina christine;
christopher: christina christine; francesco: francesca; francisco: francisca; francis: frances;
francois: francoise; gabriel: gabrielle gabriela; joseph: josephine; josef: josefine josefa; jose: josefa;
george: georgia georgina; georges: georgette; justin: justine; martin: martina martine; simon: simone;
ivan: ivana; alexander: alexandra; alexandre: alexandra; patrick: patricia; michael: michelle michaela;
michel: michele michelle; samuel: samantha; nicholas: nicole nicola; nicolas: nicole; stephen: stephanie;
steven: stephanie; stefan: stefanie; henry: henrietta; charles: charlotte charlene; frederick: frederica;
oliver: olivia; victor: victoria; bernard: bernadette; claude: claudia claudine; claudio: claudia;
eugene: eugenia; adrian: adriana adrienne; fabian: fabienne; fabio: fabia; lucas: lucia; luca: lucia;
marcel: marcelle marcela; philip: philippa; phillip: philippa; raymond: raymonde; rene: renee;
valentin: valentina valentine; gerald: geraldine; leon: leona leonie; emil: emilia; emilio: emilia;
giovanni: giovanna; angelo: angela; paolo: paola; edward: edwina; albert: alberta; ernest: ernestine;
andrew: andrea; edwin: edwina; jack: jacqueline; dan: dana; fred: freda; noel: noelle; joel: joelle; dean: deanna;
ron: rona; glen: glenda; brian: briana; bryan: bryana; herman: hermina; roman: romana; emil: emilie;
fabian: fabiana; will: willa
"""

#: Given names of their own that the nickname lists link, as one may be short for the other (Nathan
#: for Jonathan, Emma for Emily, Jane for Jean), but that people are given as names: a brother's and a
#: sister's, or twins', on one family's phone and email. Folded, in pairs.
SEPARATE_NAMES = """
jonathan nathan; patrick peter; john ian; emily emma; anna hannah; susan hannah; hannah joanna; jean jane;
virginia jane; lisa melissa; lisa alice; lisa alicia; helen eileen; mary rosemary; marie rosemary;
mary marilyn; mary maureen; nancy ann; ann antonia; sandra alexandra; theresa tracy
"""


@lru_cache(maxsize=1)
def _opposite_forms() -> frozenset[frozenset[str]]:
    return frozenset(frozenset((man.strip(), woman)) for entry in OPPOSITE_FORMS.split(";")
                     for man, women in [entry.split(":")] for woman in women.split())


@lru_cache(maxsize=1)
def _separate_names() -> frozenset[frozenset[str]]:
    return frozenset(frozenset(entry.split()) for entry in SEPARATE_NAMES.split(";"))


def names_apart(a: str, b: str) -> bool:
    """Whether two folded first names are two people's though nickname lists link them: a man's and a
    woman's form (`opposite_forms`), or two given names of their own (`SEPARATE_NAMES`).

    >>> names_apart("jonathan", "nathan"), names_apart("andrew", "andrea"), names_apart("robert", "bob")
    (True, True, False)
    """
    return opposite_forms(a, b) or frozenset((a.split(" ")[0], b.split(" ")[0])) in _separate_names()


def opposite_forms(a: str, b: str) -> bool:
    """Whether two folded first names are a man's and a woman's name made of it (`OPPOSITE_FORMS`).

    >>> opposite_forms("louis", "louise"), opposite_forms("erica", "eric"), opposite_forms("ann", "anne")
    (True, True, False)
    """
    return frozenset((a.split(" ")[0], b.split(" ")[0])) in _opposite_forms()


@lru_cache(maxsize=1)
def _namer() -> NickNamer:
    lookup = NickNamer.default_lookup()
    for entry in (RUSSIAN_DIMINUTIVES + ";" + EUROPEAN_DIMINUTIVES).split(";"):
        formals, diminutives = entry.split(":")
        for formal in formals.split():
            lookup.setdefault(fold(formal), set()).update(fold(name) for name in diminutives.split())
    for entry in SPELLINGS.split(";"):
        spellings = set(entry.split())
        for spelling in spellings:
            lookup.setdefault(spelling, set()).update(spellings - {spelling})
    return NickNamer(nickname_lookup=lookup)


@lru_cache(maxsize=100_000)
def nickname_group(first: str) -> tuple[str, ...]:
    """A folded first name with its formal names and its nicknames.

    ``"bob"`` → ``("bert", "bob", "bobby", "rob", "robert"…)``, sorted. Nickname lists
    link names loosely, so no single name stands for a group: two first names
    are equivalent when one is in the other's group (`nickname_equivalent`).
    """
    token = first.split(" ")[0] if first else first
    if not token:
        return ()
    namer = _namer()
    return tuple(sorted({token} | namer.canonicals_of(token) | namer.nicknames_of(token)))


def nickname_equivalent(a: str, b: str) -> bool:
    """Whether two folded first names can be the same person's (``"bob"``, ``"robert"``).

    >>> nickname_equivalent("bob", "robert"), nickname_equivalent("liz", "elizabeth"), nickname_equivalent("bob", "liz")
    (True, True, False)
    >>> nickname_equivalent("liam", "william"), nickname_equivalent("liam", "bill")
    (True, False)
    >>> nickname_equivalent("des", "desmond"), nickname_equivalent("bec", "rebecca")
    (True, True)
    >>> nickname_equivalent("kate", "catherine"), nickname_equivalent("pippa", "philippa"), nickname_equivalent(
    ...     "catherine", "katherine")
    (True, True, True)
    >>> nickname_equivalent(fold("Маша"), fold("Мария")), nickname_equivalent(fold("Слава"), fold("Ярослав"))
    (True, True)
    >>> nickname_equivalent("jean pierre", "jean"), nickname_equivalent("jean pierre", "jean paul")
    (True, False)
    """
    if not a or not b or not (a == b or b.split(" ")[0] in nickname_group(a) or a.split(" ")[0] in nickname_group(b)):
        return False  # most pairs: no nickname of each other, told without the tests below
    return not (names_apart(a, b) or other_second_names(a, b))  # Louis and Louise share Lou


def other_second_names(a: str, b: str) -> bool:
    """Whether two folded first names of two words or more differ in their second word, not an initial of the
    other's, its nickname nor a typo of it (of four letters or more, a letter wrong, missing, extra or two
    swapped): Jean-Pierre and Jean-Paul, María José and María Luisa, a brother's and a sister's. The words
    after the first of one all in the other's are no other name ("arthur mabel", "arthur and mabel").

    >>> other_second_names("jean pierre", "jean paul"), other_second_names("jean pierre", "jean p")
    (True, False)
    >>> other_second_names("jean pierre", "jean"), other_second_names("mary kate", "mary katherine")
    (False, False)
    >>> other_second_names("jean francois", "jean francosi"), other_second_names("anne sophie", "anne osphie")
    (False, False)
    """
    words_a, words_b = a.split(" "), b.split(" ")
    if len(words_a) < 2 or len(words_b) < 2 or set(words_a[1:]) <= set(words_b) or set(words_b[1:]) <= set(words_a):
        return False
    short, long = sorted((words_a[1], words_b[1]), key=len)
    return not (len(short) == 1 and long.startswith(short) or len(short) >= 4 and OSA.distance(short, long) <= 1
                or nickname_equivalent(short, long))


def final_g_apart(a: str, b: str) -> bool:
    """Whether two folded names of five letters or fewer are one but for the g of a final -ng (Lin and
    Ling, Tan and Tang, Jin and Jing): two Chinese names, as the finals -n and -ng make, not a typo.

    >>> final_g_apart("lin", "ling"), final_g_apart("zhang", "zhan"), final_g_apart("jon", "john")
    (True, True, False)
    """
    short, long = sorted((a, b), key=len)
    return len(long) <= 5 and long == short + "g" and short.endswith("n")


def two_names(a: str, b: str) -> bool:
    """Whether two folded first names are each a name of its own, which nicknames do not link:
    Michael and Michelle, Daniel and Danielle, John and Joan, a couple's (not a typo, Mihcael, nor
    a nickname). Spellings of one name can be two (Steven and Stephen, Michael and Micheal). Chinese
    given names a final g apart are two (`final_g_apart`: Jin and Jing).

    >>> two_names("michael", "michelle"), two_names("paul", "paula"), two_names("michael", "mihcael")
    (True, True, False)
    >>> two_names("bob", "robert"), two_names("michael", "michael"), two_names("eric", "erica")
    (False, False, True)
    >>> two_names("dmitri", "dmitry"), two_names("evgeny", "evgenia"), nickname_equivalent("sergei", "sergey")
    (False, True, True)
    """
    namer = _namer()
    return names_apart(a, b) or final_g_apart(a, b) or (a != b and bool(namer.nicknames_of(a.split(" ")[0]))
                                    and bool(namer.nicknames_of(b.split(" ")[0])) and not nickname_equivalent(a, b))
