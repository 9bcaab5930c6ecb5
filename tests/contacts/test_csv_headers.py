"""CSV headers as real address books write them; the best column wins; extras are kept."""

from fastapi.testclient import TestClient

from app.contacts.csv_import import parse_contacts_csv
from tests.contacts.test_import_api import by_name, imported

# Google Contacts export (2020s "Google CSV"), header as Google writes it, trimmed of empty columns.
GOOGLE = (
    "Name,Given Name,Additional Name,Family Name,Nickname,Group Membership,"
    "E-mail 1 - Type,E-mail 1 - Value,E-mail 2 - Type,E-mail 2 - Value,"
    "Phone 1 - Type,Phone 1 - Value,Phone 2 - Type,Phone 2 - Value,"
    "Organization 1 - Type,Organization 1 - Name,Organization 1 - Title,Website 1 - Type,Website 1 - Value\n"
    "Hélène Dupont,Hélène,,Dupont,,* myContacts ::: Salon,* Work,helene@acme.fr,Home,h@perso.fr,"
    "Mobile,+33 6 11 22 33 44,Work,+33 1 44 55 66 77,,ACME,Directrice,,https://acme.fr\n"
)

# Outlook "Comma Separated Values (Windows)": Title is the honorific, Job Title the job.
OUTLOOK = (
    "Title,First Name,Middle Name,Last Name,Suffix,Company,Department,Job Title,"
    "Business Street,Business Phone,Business Phone 2,Mobile Phone,E-mail Address,"
    "E-mail Type,E-mail Display Name,E-mail 2 Address,Notes,Web Page\n"
    "Dr.,John,Q,Smith,Jr.,Contoso,Sales,Account manager,1 Main St,+1 206 555 0100,,"
    "+1 206 555 0199,john@contoso.com,SMTP,John Smith,jsmith@home.net,Met at CES,https://contoso.com\n"
)

THUNDERBIRD = (
    "First Name,Last Name,Display Name,Nickname,Primary Email,Secondary Email,Screen Name,"
    "Work Phone,Home Phone,Fax Number,Pager Number,Mobile Number,Job Title,Department,"
    "Organization,Web Page 1,Web Page 2,Notes\n"
    "Anna,Svensson,Anna Svensson,,anna@example.se,anna.s@example.org,,+46 8 123 45,,,,"
    "+46 70 123 45 67,CTO,,Exempel AB,https://example.se,,\n"
)

# LinkedIn Connections.csv of 2018: no preamble, US dates with a time.
LINKEDIN_2018 = (
    "First Name,Last Name,Email Address,Company,Position,Connected On\n"
    'Ada,Lovelace,ada@engine.uk,Analytical Engines,Countess,"1/8/18, 6:14 PM"\n'
    'Alan,Turing,,Bletchley,Cryptanalyst,"12/25/17, 11:02 AM"\n'
)


def test_google_contacts_csv() -> None:
    [person], rejected = parse_contacts_csv(GOOGLE.encode())
    assert not rejected
    assert person.full_name == "Hélène Dupont"
    assert (person.email, person.extra_emails) == ("helene@acme.fr", ["h@perso.fr"])
    assert (person.phone, person.extra_phones) == ("+33 6 11 22 33 44", ["+33 1 44 55 66 77"])
    assert (person.company, person.role, person.url) == ("ACME", "Directrice", "https://acme.fr")
    assert person.tags == ["Salon"]


def test_outlook_csv_job_title_beats_the_honorific() -> None:
    [person], _ = parse_contacts_csv(OUTLOOK.encode("cp1252"))
    assert person.full_name == "John Smith"
    assert person.role == "Account manager"
    assert person.phone == "+1 206 555 0100"
    assert person.extra_phones == ["+1 206 555 0199"]
    assert (person.email, person.extra_emails) == ("john@contoso.com", ["jsmith@home.net"])
    assert person.notes == "Met at CES"


def test_thunderbird_csv() -> None:
    [person], _ = parse_contacts_csv(THUNDERBIRD.encode())
    assert person.full_name == "Anna Svensson"
    assert (person.email, person.extra_emails) == ("anna@example.se", ["anna.s@example.org"])
    assert (person.phone, person.extra_phones) == ("+46 8 123 45", ["+46 70 123 45 67"])
    assert (person.company, person.role, person.url) == ("Exempel AB", "CTO", "https://example.se")


def test_thunderbird_utf16_export() -> None:
    [person], _ = parse_contacts_csv(THUNDERBIRD.replace("Anna", "Åsa").encode("utf-16"))
    assert person.full_name == "Åsa Svensson"


def test_linkedin_2018_dates() -> None:
    ada, alan = parse_contacts_csv(LINKEDIN_2018.encode())[0]
    assert ada.notes is not None and "2018-01-08" in ada.notes
    assert alan.notes is not None and "2017-12-25" in alan.notes
    assert ada.role == "Countess" and ada.email == "ada@engine.uk"


def test_best_column_wins_not_the_first() -> None:
    csv = "Home Phone,Name,Business Phone\n+1 111,Bob,+1 222\n+1 333,Eve,\n"
    bob, eve = parse_contacts_csv(csv.encode())[0]
    assert (bob.phone, bob.extra_phones) == ("+1 222", ["+1 111"])
    assert eve.phone == "+1 333"  # the best column is empty: the next one fills the field


def test_a_plain_title_column_is_the_job_when_nothing_says_honorific() -> None:
    [person], _ = parse_contacts_csv(b"Name,Title\nBob,Buyer\n")
    assert person.role == "Buyer"


def test_second_emails_and_phones_are_kept_in_the_notes_once(alice: TestClient) -> None:
    for _ in range(2):  # importing again does not repeat them
        imported(alice, GOOGLE.encode(), "contacts.csv")
    person = by_name(alice)["Hélène Dupont"]
    assert person["email"] == "helene@acme.fr" and person["phone"] == "+33 6 11 22 33 44"
    assert person["notes"].count("h@perso.fr") == 1
    assert person["notes"].count("+33 1 44 55 66 77") == 1
    assert "Autre adresse e-mail\u00a0: h@perso.fr" in person["notes"]  # Alice reads French
