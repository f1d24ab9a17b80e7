"""Column roles: detection from English, French and other languages' headers, overrides, TOML round trip."""

from __future__ import annotations

import pytest

from dedupe_kit import Config, ConfigError, FieldMap
from dedupe_kit.fieldmap import consent_rule, phone_kind

CRM_HEADER = [
    "Contact ID", "First Name", "Last Name", "Email Address", "Email 2", "Mobile Phone", "Home Phone",
    "Work Phone", "Company", "City", "Country", "Student ID", "Created Date", "Last Modified", "Notes",
]
FRENCH_HEADER = ["CRM ID", "Prénom", "Nom", "Courriel", "E-mail", "Téléphone", "Portable", "Société", "Ville", "Pays",
                 "Date de création", "Numéro étudiant"]


def test_detects_a_typical_crm_export():
    fm = FieldMap.detect(CRM_HEADER)
    assert fm == FieldMap(
        record_id="Contact ID",
        external_ids=("Student ID",),
        first_name="First Name",
        last_name="Last Name",
        emails=("Email Address", "Email 2"),
        phones=(("Mobile Phone", "mobile"), ("Home Phone", "home"), ("Work Phone", "work")),
        company="Company",
        city="City",
        country="Country",
        created="Created Date",
        updated="Last Modified",
        notes=("Notes",),
    )
    assert FieldMap.detect(["Tags", "Comments"]).columns() == ("Comments", "Tags")


def test_detects_a_french_export():
    fm = FieldMap.detect(FRENCH_HEADER)
    assert fm.record_id == "CRM ID"
    assert (fm.first_name, fm.last_name) == ("Prénom", "Nom")
    assert fm.emails == ("Courriel", "E-mail")
    assert fm.phones == (("Téléphone", "other"), ("Portable", "mobile"))
    assert (fm.company, fm.city, fm.country, fm.created) == ("Société", "Ville", "Pays", "Date de création")
    assert fm.external_ids == ("Numéro étudiant",)


def test_detects_a_salesforce_export_with_its_custom_fields():
    fm = FieldMap.detect(["Id", "FirstName", "LastName", "Email", "MobilePhone", "HomePhone", "Account.Name",
                          "MailingCity", "CreatedDate", "LastModifiedDate", "Student_ID__c", "Loyalty_Number__c"])
    assert (fm.record_id, fm.first_name, fm.last_name, fm.company, fm.city) == (
        "Id", "FirstName", "LastName", "Account.Name", "MailingCity")
    assert fm.phones == (("MobilePhone", "mobile"), ("HomePhone", "home"))
    assert fm.external_ids == ("Student_ID__c", "Loyalty_Number__c")  # custom fields: their API names end in __c
    assert (fm.created, fm.updated) == ("CreatedDate", "LastModifiedDate")


def test_detects_a_salesforce_lead_report():
    fm = FieldMap.detect(["Lead ID", "Salutation", "First Name", "Last Name", "Title", "Company / Account", "Email",
                          "Phone", "Mobile", "Street", "City", "State/Province", "Zip/Postal Code", "Lead Status"])
    assert (fm.record_id, fm.company, fm.address, fm.postcode) == ("Lead ID", "Company / Account", ("Street",),
                                                                   "Zip/Postal Code")
    assert fm.phones == (("Phone", "other"), ("Mobile", "mobile"))


def test_detects_a_russian_export():
    fm = FieldMap.detect(["ID", "Внешний ID", "Имя", "Фамилия", "Отчество", "Email", "Телефон", "Мобильный телефон",
                          "Дата рождения", "Город", "Компания", "Комментарий", "Дата создания", "Теги"])
    assert (fm.record_id, fm.external_ids, fm.first_name, fm.last_name) == ("ID", ("Внешний ID",), "Имя", "Фамилия")
    assert fm.phones == (("Телефон", "other"), ("Мобильный телефон", "mobile")) and fm.emails == ("Email",)
    assert (fm.birth_date, fm.city, fm.company, fm.created) == ("Дата рождения", "Город", "Компания", "Дата создания")
    assert (fm.notes, fm.tags) == (("Комментарий",), ("Теги",))  # the patronymic passes through


def test_detects_russian_phone_and_email_headers_in_the_plural_and_after_a_noun():
    # "phones", "phone number", "email address": as "Phones" and "Phone Number" are, not columns passed through
    fm = FieldMap.detect(["ID", "Телефоны", "Номер телефона", "Тип телефона", "Адрес эл. почты",
                          "Адрес электронной почты"])
    assert fm.phones == (("Телефоны", "other"), ("Номер телефона", "other"))  # not the number's type
    assert fm.emails == ("Адрес эл. почты", "Адрес электронной почты")


@pytest.mark.parametrize(
    "header, roles",
    [
        (["Datensatz-ID", "Vorname", "Nachname", "E-Mail-Adresse", "Telefonnummer", "Mobiltelefon", "Firma",
          "Kundennummer", "Straße", "PLZ", "Ort", "Land", "Geburtsdatum", "Erstellt am", "Notizen"],
         ("Datensatz-ID", "Vorname", "Nachname", ("E-Mail-Adresse",), "Firma", ("Kundennummer",), "Ort")),
        (["ID de registro", "Nombre", "Apellido(s)", "Correo electrónico", "Teléfono", "Móvil", "Empresa", "Ciudad"],
         ("ID de registro", "Nombre", "Apellido(s)", ("Correo electrónico",), "Empresa", (), "Ciudad")),
        (["ID", "Nome", "Cognome", "Email", "Telefono", "Cellulare", "Azienda", "Codice cliente", "Città", "CAP"],
         ("ID", "Nome", "Cognome", ("Email",), "Azienda", ("Codice cliente",), "Città")),
        (["ID do registro", "Nome", "Sobrenome", "Endereço de e-mail", "Telefone", "Celular", "Nome da empresa",
          "Cidade"],
         ("ID do registro", "Nome", "Sobrenome", ("Endereço de e-mail",), "Nome da empresa", (), "Cidade")),
        (["Record-ID", "Voornaam", "Achternaam", "E-mailadres", "Telefoonnummer", "Mobiel", "Bedrijf", "Plaats"],
         ("Record-ID", "Voornaam", "Achternaam", ("E-mailadres",), "Bedrijf", (), "Plaats")),
    ],
)
def test_detects_german_spanish_italian_portuguese_and_dutch_exports(header, roles):
    # HubSpot, Salesforce and Keap name the columns in the user's language: without their roles a run finds nothing
    fm = FieldMap.detect(header)
    assert (fm.record_id, fm.first_name, fm.last_name, fm.emails, fm.company, fm.external_ids, fm.city) == roles
    assert [kind for _, kind in fm.phones] == ["other", "mobile"]


def test_spanish_or_portuguese_name_without_a_last_name_column_is_the_whole_name():
    assert FieldMap.detect(["ID", "Nome", "E-mail", "Celular"]).full_name == "Nome"  # "João Silva"
    assert FieldMap.detect(["Nombre", "Apellidos"]).first_name == "Nombre"
    assert FieldMap.detect(["First Name", "Email"]).first_name == "First Name"


def test_a_spanish_first_surname_is_the_last_name_and_a_dutch_prefix_or_second_surname_a_part_of_it():
    fm = FieldMap.detect(["ID", "Nombre", "Apellido 1", "Apellido 2", "Email"])  # "Nombre" was the whole name
    assert (fm.first_name, fm.last_name, fm.full_name) == ("Nombre", "Apellido 1", None)
    assert fm.last_name_columns(["ID", "Nombre", "Apellido 1", "Apellido 2", "Email"]) == ("Apellido 1", "Apellido 2")
    header = ["Voornaam", "Tussenvoegsel", "Achternaam", "E-mailadres"]
    fm = FieldMap.detect(header)
    assert fm.last_name_columns(header) == ("Tussenvoegsel", "Achternaam") and "Tussenvoegsel" not in fm.columns()
    header = ["Nombre", "Primer apellido", "Segundo apellido"]
    assert FieldMap.detect(header).last_name_columns(header) == ("Primer apellido", "Segundo apellido")
    assert FieldMap.detect(["Name", "Tussenvoegsel"]).last_name_columns(["Name", "Tussenvoegsel"]) == ()


def test_detects_plural_headers_and_customer_names():
    fm = FieldMap.detect(["Record ID", "Customer Name", "Email", "Additional email addresses", "Other Emails",
                          "Phones", "Mobile Phone Numbers", "External Customer ID", "Phone Type", "Emails Opt Out",
                          "dedupe_kit extra phones"])
    assert (fm.record_id, fm.full_name) == ("Record ID", "Customer Name")
    assert fm.emails == ("Email", "Additional email addresses", "Other Emails")  # HubSpot's list of other addresses
    assert fm.phones == (("Phones", "other"), ("Mobile Phone Numbers", "mobile"))
    assert fm.external_ids == ("External Customer ID",)
    assert set(fm.columns()).isdisjoint({"Phone Type", "Emails Opt Out", "dedupe_kit extra phones"})  # its own: none


def test_hubspots_associated_company_is_the_company_after_the_contacts_own_company_name():
    assert FieldMap.detect(["Record ID", "Associated Company (Primary)", "Associated Company IDs (Primary)"]).company \
        == "Associated Company (Primary)"  # the IDs of the company record pass through
    assert FieldMap.detect(["Record ID", "Associated Company", "Company Name"]).company == "Company Name"


@pytest.mark.parametrize("header", ["Id", "Record ID", "record_id", "Contact ID", "CRM ID", "ContactId"])
def test_a_crm_row_key_is_the_record_id_not_an_external_id(header):
    fm = FieldMap.detect([header, "Email"])
    assert fm.record_id == header
    assert fm.external_ids == ()


@pytest.mark.parametrize("header", ["Customer Number", "Account ID", "IDHS Provider ID", "soc_sec_id", "Zip"])
def test_ambiguous_ids_are_not_external_ids_unless_configured(header):
    fm = FieldMap.detect(["Contact ID", header])
    assert fm.external_ids == (() if header != "Customer Number" else (header,))


@pytest.mark.parametrize("key", ["Mainstay ID", "Mainstay (AdmitHub) ID", "AdmitHub ID"])
def test_mainstays_own_id_is_the_record_id_and_its_crm_id_an_external_id(key):
    # Mainstay's import matches on its own ID first, then on the CRM ID, the school's unique ID
    fm = FieldMap.detect(["CRM ID", key, "First Name", "Last Name", "Phone", "Email"])
    assert (fm.record_id, fm.external_ids) == (key, ("CRM ID",))


def test_only_the_first_of_two_record_id_columns_gets_the_role():
    fm = FieldMap.detect(["record_id", "Id", "Name"])
    assert fm.record_id == "record_id"
    assert fm.full_name == "Name"


@pytest.mark.parametrize(
    "header, kind",
    [("Mobile Phone", "mobile"), ("Cell", "mobile"), ("Portable", "mobile"), ("Home Phone", "home"),
     ("Téléphone fixe", "home"), ("Work Phone", "work"), ("Office Phone", "work"), ("Fax", "fax"),
     ("Phone", "other"), ("Téléphone", "other"), ("Telefon (geschäftlich)", "work"), ("Telefon privat", "home"),
     ("Teléfono móvil", "mobile"), ("Numero di cellulare", "mobile"), ("Mobiltelefonnummer", "mobile"),
     ("Telefax", "fax")],
)
def test_phone_kind_from_header(header, kind):
    assert phone_kind(header) == kind
    assert FieldMap.detect([header]).phones == ((header, kind),)


def test_detects_zoho_pipedrive_dynamics_and_mailchimp_exports():
    zoho = FieldMap.detect(["Record Id", "First Name", "Last Name", "Email", "Secondary Email", "Created Time",
                            "Modified Time"])
    assert (zoho.record_id, zoho.emails, zoho.created, zoho.updated) == (
        "Record Id", ("Email", "Secondary Email"), "Created Time", "Modified Time")
    pipedrive = FieldMap.detect(["Person - ID", "Person - Name", "Person - Organization", "Person - Email - Work",
                                 "Person - Email - Home", "Person - Phone - Mobile", "Person - Add time",
                                 "Person - Update time"])
    assert (pipedrive.record_id, pipedrive.full_name, pipedrive.company, pipedrive.created, pipedrive.updated) == (
        "Person - ID", "Person - Name", "Person - Organization", "Person - Add time", "Person - Update time")
    assert pipedrive.emails == ("Person - Email - Work", "Person - Email - Home")
    pipedrive = FieldMap.detect(["Person - ID", "Person - Name", "Person - First name", "Person - Last name",
                                 "Person - Labels"])
    assert (pipedrive.full_name, pipedrive.first_name, pipedrive.last_name, pipedrive.tags) == (
        "Person - Name", "Person - First name", "Person - Last name", ("Person - Labels",))
    dynamics = FieldMap.detect(["(Do Not Modify) Contact", "(Do Not Modify) Row Checksum", "(Do Not Modify) Modified On",
                                "Full Name", "Email", "Address 1: City", "Address 1: ZIP/Postal Code",
                                "Address 1: Country/Region", "Created On"])
    assert (dynamics.record_id, dynamics.updated, dynamics.created) == (
        "(Do Not Modify) Contact", "(Do Not Modify) Modified On", "Created On")
    assert (dynamics.city, dynamics.postcode, dynamics.country) == (
        "Address 1: City", "Address 1: ZIP/Postal Code", "Address 1: Country/Region")
    assert "(Do Not Modify) Row Checksum" not in dynamics.columns()
    mailchimp = FieldMap.detect(["Email Address", "First Name", "OPTIN_TIME", "CONFIRM_TIME", "LAST_CHANGED"])
    assert (mailchimp.created, mailchimp.updated) == ("OPTIN_TIME", "LAST_CHANGED")
    assert FieldMap.detect(["Id", "Person Notes"]).notes == ("Person Notes",)  # Keap's


def test_detects_google_contacts_and_outlook_exports():
    google = FieldMap.detect(["First Name", "Last Name", "Organization Name", "Labels", "E-mail 1 - Label",
                              "E-mail 1 - Value", "E-mail 2 - Label", "E-mail 2 - Value", "Phone 1 - Label",
                              "Phone 1 - Value", "Address 1 - Street", "Address 1 - City"])
    assert (google.emails, google.phones) == (("E-mail 1 - Value", "E-mail 2 - Value"), (("Phone 1 - Value", "other"),))
    assert (google.company, google.tags, google.address, google.city) == (
        "Organization Name", ("Labels",), ("Address 1 - Street",), "Address 1 - City")
    gmail = FieldMap.detect(["Name", "Given Name", "Family Name", "Group Membership", "E-mail 1 - Type",
                             "E-mail 1 - Value", "Phone 1 - Type", "Phone 1 - Value", "Organization 1 - Name"])
    assert (gmail.full_name, gmail.first_name, gmail.last_name, gmail.company) == (
        "Name", "Given Name", "Family Name", "Organization 1 - Name")
    assert (gmail.emails, gmail.phones, gmail.tags) == (
        ("E-mail 1 - Value",), (("Phone 1 - Value", "other"),), ("Group Membership",))
    outlook = FieldMap.detect(["First Name", "Last Name", "E-mail Address", "E-mail 2 Address", "E-mail 3 Address",
                               "Mobile Phone", "Home Phone 2"])
    assert outlook.emails == ("E-mail Address", "E-mail 2 Address", "E-mail 3 Address")
    assert outlook.phones == (("Mobile Phone", "mobile"), ("Home Phone 2", "home"))


def test_detects_a_shopify_customer_export():
    shopify = FieldMap.detect(["Customer ID", "First Name", "Last Name", "Email", "Default Address Company",
                               "Default Address Address1", "Default Address Address2", "Default Address City",
                               "Default Address Province Code", "Default Address Country Code", "Default Address Zip",
                               "Default Address Phone", "Phone", "Total Spent"])
    assert (shopify.company, shopify.address, shopify.city, shopify.country, shopify.postcode) == (
        "Default Address Company", ("Default Address Address1", "Default Address Address2"), "Default Address City",
        "Default Address Country Code", "Default Address Zip")
    assert shopify.phones == (("Default Address Phone", "other"), ("Phone", "other"))


def test_detects_brevo_constant_contact_freshsales_copper_intercom_and_stripe_exports():
    brevo = FieldMap.detect(["CONTACT ID", "EMAIL", "FIRSTNAME", "LASTNAME", "SMS", "WHATSAPP", "LANDLINE_NUMBER",
                             "EXT_ID", "ADDED_TIME", "MODIFIED_TIME"])
    assert brevo.phones == (("SMS", "mobile"), ("WHATSAPP", "mobile"), ("LANDLINE_NUMBER", "home"))
    assert (brevo.external_ids, brevo.created, brevo.updated) == (("EXT_ID",), "ADDED_TIME", "MODIFIED_TIME")
    constant = FieldMap.detect(["Email address", "Street address line 1 - Home", "City - Home",
                                "Zip/Postal code - Home", "Country - Home", "Date added", "Date updated"])
    assert (constant.address, constant.city, constant.postcode, constant.country, constant.updated) == (
        ("Street address line 1 - Home",), "City - Home", "Zip/Postal code - Home", "Country - Home", "Date updated")
    assert FieldMap.detect(["Work number", "Mobile number"]).phones == (("Work number", "work"), ("Mobile number", "mobile"))
    assert FieldMap.detect(["Copper Id", "Name"]).record_id == "Copper Id"
    intercom = FieldMap.detect(["Intercom ID", "User ID", "Name", "Signed up", "Last seen"])
    assert (intercom.record_id, intercom.created, intercom.external_ids) == ("Intercom ID", "Signed up", ())
    assert FieldMap.detect(["id", "Created (UTC)"]).created == "Created (UTC)"  # Stripe's


@pytest.mark.parametrize("header", ["Phone Type", "Mobile Opt Out", "Email Opt Out", "Mailing List", "Last Activity",
                                    "Created By", "Updated By", "Email Domain", "Do Not Email",
                                    "E-mail 1 - Label", "Phone 1 - Label", "Organization 1 - Title", "Last SMS Date",
                                    "SMS Opt In", "House Number", "Ext No", "Tipo de teléfono", "Asst. Phone",
                                    "Assistant Phone", "AssistantPhone", "Assistant's Phone", "No Email", "No E-mail",
                                    "No Mail", "Unsubscribed Email", "Optout Email"])
def test_lookalike_columns_pass_through(header):
    assert FieldMap.detect([header]).columns() == ()


def test_an_email_column_named_by_one_word_before_email_is_still_one():
    headers = ["Work Email", "Personal Email", "Notification Email", "Parent Email", "Nonprofit Email", "Optional Email"]
    assert FieldMap.detect(headers).emails == tuple(headers)


def test_overrides_win_and_take_columns_from_detected_roles():
    fm = FieldMap.detect(
        CRM_HEADER + ["Student Number"],
        {"external_ids": ["Student ID", "Student Number"], "phones": {"Home Phone": "home"}, "company": None,
         "ignore": ["City"]},
    )
    assert fm.external_ids == ("Student ID", "Student Number")
    assert fm.phones == (("Home Phone", "home"),)
    assert fm.company is None
    assert fm.city is None
    assert fm.first_name == "First Name"  # untouched roles are still detected
    assert FieldMap.detect(CRM_HEADER, {"ignore": "Company"}).company is None  # one column, as for other roles


def test_a_column_moved_to_another_role_leaves_its_detected_role():
    fm = FieldMap.detect(["Contact ID", "Customer ID", "Email"], {"record_id": "Customer ID"})
    assert fm.record_id == "Customer ID"
    assert fm.external_ids == ()


def test_an_override_names_a_column_whatever_its_unicode_form():
    decomposed = "Pre\u0301nom"  # as a macOS export writes "Prénom": e, then a combining acute
    fm = FieldMap.detect(["Contact ID", decomposed, "Te\u0301le\u0301phone"],
                         {"first_name": "Pr\u00e9nom", "phones": {"T\u00e9l\u00e9phone": "mobile"}})
    assert fm.first_name == decomposed  # the header's own spelling, which the output files keep
    assert fm.phones == (("Te\u0301le\u0301phone", "mobile"),)
    assert FieldMap.detect([decomposed, "Email"], {"ignore": "Pr\u00e9nom"}).first_name is None


def test_bad_overrides_are_reported_all_at_once():
    with pytest.raises(ConfigError) as info:
        FieldMap.detect(CRM_HEADER, {"emails": ["E-mail"], "record_id": ["Contact ID", "Student ID"],
                                     "phone": "Mobile Phone", "phones": {"Mobile Phone": "cell"}},
                        source="dedupe.toml")
    message = str(info.value)
    assert message.startswith("dedupe.toml: invalid [fields] mapping:")
    assert "unknown role 'phone'" in message
    assert "emails: column 'E-mail' is not in the file's header; did you mean 'Email 2'?" in message
    assert "record_id: give one column, not 2" in message
    assert "phones: kind 'cell' of 'Mobile Phone' must be one of mobile, home, work, fax, other" in message


def test_a_column_given_two_roles_is_refused_unless_one_is_the_record_id():
    with pytest.raises(ConfigError) as info:
        FieldMap.detect(CRM_HEADER, {"emails": ["Email Address"], "phones": {"Email Address": "mobile"}, "ignore": ["Email 2"],
                                     "notes": ["Email 2"], "record_id": "Email 2"}, source="dedupe.toml")
    assert str(info.value).splitlines()[1:] == [
        "  - phones: column 'Email Address' is also under emails; give each column one role",
        "  - notes: column 'Email 2' is also under ignore; give each column one role",
        "  - record_id: column 'Email 2' is also under ignore; give each column one role"]  # ignored, not the key
    fm = FieldMap.detect(CRM_HEADER, {"record_id": "Email Address", "emails": ["Email Address"]})  # a CRM keyed by email address
    assert fm.record_id == "Email Address" and fm.emails == ("Email Address",)


def test_a_column_named_twice_under_one_role_is_refused():
    # (it made the merge's union of the role's cells fail on a column taken twice, after the matching)
    with pytest.raises(ConfigError) as info:
        FieldMap.detect(CRM_HEADER, {"emails": ["Email Address", "Email Address"], "phones": ["Home Phone"] * 2,
                                     "notes": ["Notes"]}, source="dedupe.toml")
    assert str(info.value).splitlines()[1:] == [
        "  - emails: column 'Email Address' is named twice; name each column once",
        "  - phones: column 'Home Phone' is named twice; name each column once"]


def test_mapping_round_trips_through_toml(tmp_path):
    detected = FieldMap.detect(CRM_HEADER)
    config = Config(fields=detected.to_dict(CRM_HEADER))
    path = tmp_path / "config.toml"
    path.write_text(config.to_toml())
    again = Config.from_toml(path)
    assert again == config
    assert FieldMap.detect(CRM_HEADER, again.fields) == detected
    assert again.fields["ignore"] == [] and again.fields["notes"] == ["Notes"]


def test_to_frame_lists_every_column():
    frame = FieldMap.detect(CRM_HEADER).to_frame(CRM_HEADER)
    assert frame["column"].tolist() == CRM_HEADER
    row = frame.set_index("column").loc["Home Phone"]
    assert (row["role"], row["kind"]) == ("phones", "home")
    assert frame.set_index("column").loc["Notes", "role"] == "notes"


@pytest.mark.parametrize("content, message", [
    ('[normalize]\ndefault_region = "FR"\n[matching]\n', r"c\.toml: unknown section\(s\) 'matching'"),
    ('upper = 0.9\nrecord_id = "ID"\nregion = "FR"\n[match]\nlower = 0.3\n',  # above [match], not in it
     r"c\.toml: key\(s\) above the first \[section\], in none: 'record_id' goes under \[fields\]; 'region' is no key "
     r"of any section; 'upper' goes under \[match\]$"),
    ('[normalize]\nregion = "US"\n', r"unknown key\(s\) in \[normalize\]: 'region'; known keys are default_region"),
    ('[normalize]\ndefault_region = "XX"\n', r"'XX' is not a region phonenumbers knows"),
    ('[profile]\nshared_min_records = "3"\n', r"profile.shared_min_records must be a whole number, not '3'$"),
    ('[match]\nupper = "high"\n', r"match.upper must be a number such as 0.9, not 'high'$"),
    ('[merge]\nneutralize_formulas = "no"\n', r"merge.neutralize_formulas must be true or false, not 'no'$"),
    ('[merge]\nrules = "longest"\n',
     r"merge.rules must be a table such as \{ \"First Name\" = \"longest\" \}, not 'longest'$"),
    ("[match]\nlower = 0.9\nupper = 0.5\n", r"match: need 0 < lower <= upper < 1, got lower=0.9, upper=0.5"),
    ("[match]\nmax_block_size = 100000000000000000000\n",
     r"match: max_block_size must be from 2 to 10,000 \(a value shared by more records makes too many pairs to "
     r"compare\), random_pairs from 1,000 to 10,000,000, em_iterations at least 1; "
     r"got 100,000,000,000,000,000,000, 300,000 and 40"),
    ("[match]\nrandom_pairs = 1000000000\n", r"random_pairs from 1,000 to 10,000,000, .*got 50, 1,000,000,000 and 40"),
    ("[match]\nseed = -1\n", r"c\.toml: match: seed must be 0 or more, got -1"),
    ('[normalize]\nrole_email_locals = ["info@"]\n',
     r"c\.toml: normalize.role_email_locals: 'info@' holds an @; give the part before it, 'info'$"),
    ('[normalize]\ncanonical_email_domains = ["@gmail.com"]\n',
     r"c\.toml: normalize.canonical_email_domains: '@gmail.com' holds an @; give the part after it, 'gmail.com'$"),
    ('[match]\ncompare_columns = ["Club", "Club"]\n', r"c\.toml: match.compare_columns names 'Club' twice; name each "
                                                    r"column once$"),
    ("[profile\n", r"c\.toml: not valid TOML"),
    ('[match]\ncompare_columns = ["Club",\n', r"c\.toml: not valid TOML: .* \(at the end of the file, line 3\)$"),
    ('[merge]\nrules = {\n  "First Name" = "longest",\n}\n',  # as a dictionary is written in Python
     r"c\.toml: not valid TOML: .* \(at line 2, column 10\); a table in braces, \{ … \}, is written on one line, "
     r"with no comma after its last item \(or as a table of its own, such as \[merge.rules\], one item a line\)$"),
    ("[normalize]\ncanonical_email_domains = [1]\n", r"normalize.canonical_email_domains must be a list of texts, not \[1\]"),
    ("[match]\ncompare_columns = [1]\n", r"match.compare_columns must be a list of texts"),
    ('[merge]\noutput_delimiter = "\\n"\n', r"output_delimiter must be one character other than a quote or a line break"),
    ('# région\n[normalize]\ndefault_region = "FR"\n'.encode("cp1252"), r"c\.toml, line 1: not UTF-8 \(byte 0xe9\)"),
])
def test_config_rejects_unknown_keys_and_bad_values(tmp_path, content, message):
    path = tmp_path / "c.toml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(ConfigError, match=message):
        Config.from_toml(path)


@pytest.mark.parametrize("header, rule", [
    ("Permitted To Text", "opt_in"), ("SMS Opt-in", "opt_in"), ("GDPR consent", "opt_in"), ("Email Status", "opt_in"),
    ("Marketing contact status", "opt_in"), ("Email Opt Out", "opt_out"), ("Do Not Call", "opt_out"),
    ("HasOptedOutOfEmail", "opt_out"), ("Unsubscribed from all email", "opt_out"), ("Do Not Contact", "opt_out"),
    ("SMS_BLACKLISTED", "opt_out"),
    # about the answer, or no consent
    ("Opt-in Date", ""), ("Consent Source", ""), ("Unsubscribe reason", ""), ("(Do Not Modify) Row Checksum", ""),
    ("Status", ""), ("Lead Status", ""), ("Marketing contact status source type", ""), ("Subscriber", ""),
    ("Allowed Users", ""), ("Permission Set", ""),
])
def test_a_consent_column_is_told_by_its_header(header, rule):
    assert consent_rule(header) == rule


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])  # as Notepad saves it
def test_a_config_file_with_a_byte_order_mark_is_read(tmp_path, encoding):
    path = tmp_path / "c.toml"
    path.write_text('# région\n[normalize]\ndefault_region = "FR"\n', encoding=encoding)
    assert Config.from_toml(path).normalize.default_region == "FR"


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match=r"missing\.toml: config file not found"):
        Config.from_toml(tmp_path / "missing.toml")
