"""Static pools for the demo data in ``trainees/seed.py``: names by country, organisation templates,
job titles, session curricula and status reasons. Everything here is fictitious; organisation names
are generic descriptions, and e-mail addresses use the reserved ``.example`` domain."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NameStyle:
    """One naming tradition of a country. ``family`` empty means single-name persons (no family name)."""

    weight: int
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...] = ()


def _s(weight, female, male, family=""):
    return NameStyle(weight, tuple(female.split(", ")), tuple(male.split(", ")),
                     tuple(family.split(", ")) if family else ())


NAMES: dict[str, tuple[NameStyle, ...]] = {
    "TH": (_s(1, "Kanokwan, Siriporn, Pornthip, Chanida, Suda, Apinya, Ratchanee, Sasithorn, Nattaya, Wanida",
              "Somchai, Nattapong, Wichai, Thanawat, Kittisak, Pichet, Worawut, Anucha, Jirayu, Teerapat",
              "Srisuk, Boonmee, Jaidee, Wongsawat, Suwannarat, Rattanakorn, Thongchai, Sukprasert, Chaiyaporn, "
              "Intharasuk"),),
    "VN": (_s(1, "Thi Lan, Thi Huong, Thu Trang, Ngoc Anh, Thi Mai, Thanh Ha, Thi Thu Ha, Minh Chau, Phuong Linh, "
                 "Thi Hoa",
              "Van Minh, Duc Anh, Quang Huy, Minh Tuan, Hoang Nam, Van Hung, Quoc Bao, Thanh Tung, Duc Thang, "
              "Manh Cuong",
              "Nguyen, Tran, Le, Pham, Hoang, Phan, Vu, Dang, Bui, Do, Ngo, Duong"),),
    "ID": (_s(7, "Dewi, Siti, Putri, Ayu, Fitri, Indah, Rina, Sri, Wulan, Ratna",
              "Budi, Agus, Rizky, Andi, Hendra, Yoga, Dimas, Arief, Bambang, Eko",
              "Santoso, Wijaya, Kusuma, Pratama, Saputra, Hidayat, Nugroho, Lestari, Setiawan, Permana, Wibowo, "
              "Siregar"),
           _s(3, "Suharti, Sulastri, Rahmawati, Sumarni, Kartini, Wahyuni",
              "Sutrisno, Wahyudi, Supriyadi, Mulyadi, Suparman, Haryanto")),
    "MM": (_s(1, "Thandar Hlaing, Su Su Win, Hnin Wai Phyo, Ei Mon Kyaw, Khin Myat Noe, Thiri Aung, May Thu Zin, "
                 "Nwe Ni Aung",
              "Aung Kyaw Moe, Zaw Min Htut, Kyaw Zin Oo, Myo Min Thant, Htet Aung, Nay Lin Tun, Min Khant Kyaw, "
              "Thura Soe"),),
    "MY": (_s(5, "Nurul Aina binti Ismail, Siti Hajar binti Ahmad, Nur Izzati binti Rahman, Farah Hanim binti Yusof",
              "Muhammad Hafiz bin Abdullah, Ahmad Faizal bin Hassan, Mohd Azlan bin Ibrahim, "
              "Amirul Hakim bin Zainal"),
           _s(3, "Wei Ling, Hui Min, Mei Yee, Pei Shan", "Kok Keong, Chee Seng, Jun Hao, Wei Siang",
              "Tan, Lim, Wong, Lee, Chong"),
           _s(1, "Priya, Kavitha, Shalini", "Ravi, Suresh, Ganesh", "Subramaniam, Krishnan, Muthu")),
    "SG": (_s(6, "Wei Ting, Hui Ling, Jia Hui, Xin Yi", "Wei Jie, Jun Jie, Zhi Hao, Kai Wen",
              "Tan, Lim, Ng, Goh, Koh, Chua"),
           _s(2, "Nur Syafiqah binti Osman, Nurul Huda binti Salim",
              "Muhammad Irfan bin Salleh, Hafiz bin Rahmat"),
           _s(1, "Divya, Lakshmi", "Arun, Vijay", "Rajendran, Pillai")),
    "PH": (_s(1, "Maria Cristina, Angelica, Kristine, Rowena, Jennifer, Maricel, Patricia, Rhea",
              "Jose Miguel, Mark Anthony, John Paul, Ramon, Rodel, Christian, Paolo, Jerome",
              "Santos, Reyes, Cruz, Bautista, Garcia, Mendoza, Dela Cruz, Villanueva, Aquino, Ramos, Navarro, "
              "Castillo"),),
    "KH": (_s(1, "Sophea, Sreymom, Bopha, Chanthou, Sokunthea, Raksmey", "Dara, Vannak, Rithy, Sokha, Visal, Piseth",
              "Sok, Chan, Heng, Kim, Meas, Chea, Ly, Pich, Sam, Touch"),),
    "LA": (_s(1, "Khamla, Manivone, Vilayvanh, Souksavanh, Phonevilay, Chanthaly",
              "Somphone, Bounmy, Phonesavanh, Khamphou, Sengphet, Vanxay",
              "Phommachanh, Sysouphanh, Keomany, Vongsa, Inthavong, Phanthavong, Sengdara, Chanthavong"),),
    "BN": (_s(3, "Nur Amalina binti Yusof, Siti Aisyah binti Haji Kamis, Dayangku Nurul binti Pengiran Ali",
              "Mohd Hafiz bin Haji Ahmad, Awang Khairul bin Abdullah, Muhammad Syafiq bin Haji Omar"),
           _s(1, "Mei Ling, Siew Lan", "Ah Seng, Kian Hong", "Lim, Chong, Wong")),
    "TL": (_s(1, "Maria, Ana, Filomena, Zelia, Joana, Lucia", "José, Joaquim, Domingos, Nelson, Agostinho, Mateus",
              "da Costa, Soares, Pereira, Ximenes, Guterres, dos Santos, Belo, Pinto, da Silva, Amaral"),),
    "IN": (_s(1, "Priya, Sneha, Deepa, Kavya, Ananya, Meera", "Rahul, Anil, Vikram, Arjun, Sandeep, Karthik",
              "Sharma, Iyer, Reddy, Nair, Gupta, Patel, Banerjee, Menon, Rao, Singh"),),
    "BD": (_s(1, "Nusrat, Farhana, Sharmin, Tahmina", "Mohammad Rafiqul, Tanvir, Shahriar, Imran, Mahmudul",
              "Islam, Rahman, Hossain, Ahmed, Chowdhury, Akter, Karim"),),
    "LK": (_s(1, "Dilani, Chathurika, Ishara, Nadeesha", "Kasun, Nuwan, Tharindu, Chaminda, Ruwan",
              "Perera, Fernando, Jayasinghe, Wickramasinghe, Bandara, Silva, Dissanayake"),),
    "NP": (_s(1, "Sabina, Anjali, Pooja, Srijana", "Bishnu, Ramesh, Suman, Prakash, Bikash",
              "Shrestha, Adhikari, Gurung, Karki, Thapa, Maharjan, Pokharel"),),
    "FJ": (_s(3, "Litia, Mere, Salote, Adi Vika", "Sitiveni, Josefa, Viliame, Semi, Isireli",
              "Naivalu, Tuilevuka, Ravuvu, Qalo, Vakaloloma, Nawaqa"),
           _s(2, "Anjeshni, Shalini", "Ravinesh, Avinash", "Prasad, Kumar, Chand, Naidu")),
    "PG": (_s(1, "Grace, Rose, Joyce, Mary, Dorothy", "John, Peter, Michael, Gabriel, Samuel",
              "Kila, Namaliu, Wari, Kaupa, Mek, Pundari, Yapao"),),
    "WS": (_s(1, "Leilani, Malia, Lagi, Fetu", "Tavita, Sione, Tui, Pita", "Leota, Tuimavave, Faleolo, Schmidt, "
              "Aiono, Fruean, Tuala"),),
    "TO": (_s(1, "Mele, Salote, Losana, Ana", "Viliami, Tevita, Sione, Siaosi",
              "Taufa, Fifita, Vaipulu, Havili, Latu, Tuipulotu, Moala"),),
    "KE": (_s(1, "Faith, Mercy, Esther, Wanjiru, Akinyi", "James, Brian, Kevin, Dennis, Kiprotich",
              "Kamau, Otieno, Wanjiku, Mwangi, Kiprono, Achieng, Njoroge, Ochieng"),),
    "GH": (_s(1, "Akosua, Abena, Efua, Ama, Adwoa", "Kwame, Kofi, Yaw, Kwabena, Kojo",
              "Mensah, Owusu, Boateng, Asante, Agyemang, Osei, Appiah"),),
    "NG": (_s(1, "Ngozi, Aisha, Funmilayo, Chioma, Halima", "Chinedu, Oluwaseun, Emeka, Ibrahim, Tunde",
              "Okafor, Adeyemi, Bello, Eze, Okonkwo, Balogun, Nwosu"),),
    "RW": (_s(1, "Aline, Diane, Clarisse, Josiane, Alice", "Jean Claude, Eric, Patrick, Emmanuel, Olivier",
              "Niyonzima, Uwase, Mugisha, Habimana, Ingabire, Nshimiyimana, Mukamana"),),
}

#: Native-script spellings used for some Thai and Vietnamese trainees (Thai: given then family;
#: Vietnamese: family then given, as written at home).
THAI_SCRIPT = {
    "Kanokwan": "กนกวรรณ", "Siriporn": "ศิริพร", "Pornthip": "พรทิพย์", "Chanida": "ชนิดา", "Suda": "สุดา",
    "Apinya": "อภิญญา", "Ratchanee": "รัชนี", "Sasithorn": "ศศิธร", "Nattaya": "ณัฐยา", "Wanida": "วนิดา",
    "Somchai": "สมชาย", "Nattapong": "ณัฐพงศ์", "Wichai": "วิชัย", "Thanawat": "ธนวัฒน์", "Kittisak": "กิตติศักดิ์",
    "Pichet": "พิเชษฐ์", "Worawut": "วรวุฒิ", "Anucha": "อนุชา", "Jirayu": "จิรายุ", "Teerapat": "ธีรภัทร",
    "Srisuk": "ศรีสุข", "Boonmee": "บุญมี", "Jaidee": "ใจดี", "Wongsawat": "วงศ์สวัสดิ์",
    "Suwannarat": "สุวรรณรัตน์", "Rattanakorn": "รัตนากร", "Thongchai": "ธงชัย", "Sukprasert": "สุขประเสริฐ",
    "Chaiyaporn": "ชัยพร", "Intharasuk": "อินทรสุข",
}
VIETNAMESE_SCRIPT = {
    "Nguyen": "Nguyễn", "Tran": "Trần", "Le": "Lê", "Pham": "Phạm", "Hoang": "Hoàng", "Phan": "Phan", "Vu": "Vũ",
    "Dang": "Đặng", "Bui": "Bùi", "Do": "Đỗ", "Ngo": "Ngô", "Duong": "Dương",
    "Thi Lan": "Thị Lan", "Thi Huong": "Thị Hương", "Thu Trang": "Thu Trang", "Ngoc Anh": "Ngọc Anh",
    "Thi Mai": "Thị Mai", "Thanh Ha": "Thanh Hà", "Thi Thu Ha": "Thị Thu Hà", "Minh Chau": "Minh Châu",
    "Phuong Linh": "Phương Linh", "Thi Hoa": "Thị Hoa", "Van Minh": "Văn Minh", "Duc Anh": "Đức Anh",
    "Quang Huy": "Quang Huy", "Minh Tuan": "Minh Tuấn", "Hoang Nam": "Hoàng Nam", "Van Hung": "Văn Hùng",
    "Quoc Bao": "Quốc Bảo", "Thanh Tung": "Thanh Tùng", "Duc Thang": "Đức Thắng", "Manh Cuong": "Mạnh Cường",
}

CAPITALS = {
    "TH": "Bangkok", "VN": "Hanoi", "ID": "Jakarta", "MY": "Kuala Lumpur", "SG": "Singapore", "PH": "Manila",
    "KH": "Phnom Penh", "LA": "Vientiane", "MM": "Yangon", "BN": "Bandar Seri Begawan", "TL": "Dili",
    "IN": "New Delhi", "BD": "Dhaka", "LK": "Colombo", "NP": "Kathmandu", "FJ": "Suva", "PG": "Port Moresby",
    "WS": "Apia", "TO": "Nuku'alofa", "KE": "Nairobi", "GH": "Accra", "NG": "Abuja", "RW": "Kigali",
}

#: Countries with a small economy get only the core organisation templates.
SMALL_COUNTRIES = {"BN", "TL", "LA", "FJ", "PG", "WS", "TO", "RW", "NP"}


@dataclass(frozen=True)
class OrgTemplate:
    name: str  # {country} = English country name, {cc} = code, {city} = capital
    slug: str  # e-mail domain part: <slug>.<cc>.example
    sector: str
    org_type: str
    weight: int
    core: bool = False


ORG_TEMPLATES: tuple[OrgTemplate, ...] = (
    OrgTemplate("National CSIRT of {country}", "csirt", "GOV", "national_csirt", 10, True),
    OrgTemplate("Ministry of Digital Economy ({cc})", "digital", "GOV", "government", 8, True),
    OrgTemplate("National Cyber Security Agency ({cc})", "ncsa", "GOV", "government", 5),
    OrgTemplate("Central Bank of {country}", "centralbank", "FIN", "regulator", 6, True),
    OrgTemplate("Telecommunications Regulatory Commission ({cc})", "telreg", "ICT", "regulator", 3),
    OrgTemplate("National Power Utility ({cc})", "power", "ELE", "soe", 6, True),
    OrgTemplate("National Telecommunications Corporation ({cc})", "telecom", "ICT", "soe", 4, True),
    OrgTemplate("{city} Digital Mobile", "mobile", "ICT", "private", 4),
    OrgTemplate("{city} Commercial Bank", "bank", "FIN", "private", 6, True),
    OrgTemplate("{city} General Hospital", "hospital", "MED", "government", 4, True),
    OrgTemplate("Ministry of Health ({cc})", "health", "MED", "government", 2),
    OrgTemplate("National University of Technology ({cc})", "univ", "EDU", "academia", 4, True),
    OrgTemplate("National Oil and Gas Company ({cc})", "oilgas", "PET", "soe", 3),
    OrgTemplate("{city} International Airport Authority", "airport", "APT", "soe", 2),
    OrgTemplate("National Airline ({cc})", "airline", "AVI", "soe", 2),
    OrgTemplate("{city} Stock Exchange", "exchange", "FIN", "private", 2),
    OrgTemplate("{city} Water Supply Authority", "water", "WAT", "soe", 2),
    OrgTemplate("{city} Cyber Defence Consulting", "cyberdef", "SEC", "private", 2),
    OrgTemplate("Electronics Manufacturing Company ({cc})", "electronics", "MFG", "private", 2),
    OrgTemplate("National Railway Corporation ({cc})", "rail", "RAI", "soe", 1),
    OrgTemplate("Port Authority of {country}", "port", "PRT", "soe", 1),
    OrgTemplate("Cybersecurity Association of {country}", "assoc", "SEC", "ngo", 1),
)

#: Regional bodies: (name, slug, host country, sector). Their staff come from any ASEAN member.
INTERNATIONAL_ORGS = (
    ("ASEAN Secretariat", "asean-secretariat", "ID", "GOV"),
    ("ASEAN-Japan Cybersecurity Capacity Building Centre", "ajccbc", "TH", "EDU"),
)

JOB_TITLES = {
    "national_csirt": ("Incident Handler", "Senior Incident Handler", "SOC Analyst", "Malware Analyst",
                       "Digital Forensic Analyst", "Head of CSIRT Operations", "Threat Intelligence Analyst",
                       "Vulnerability Coordinator"),
    "government": ("Policy Officer, Cybersecurity Division", "Deputy Director, Information Security", "IT Officer",
                   "Information Security Officer", "Assistant Director, CII Protection", "System Administrator"),
    "regulator": ("IT Risk Supervisor", "Examiner, Technology Risk", "Senior Officer, Cyber Resilience",
                  "Deputy Director, IT Supervision"),
    "soe": ("OT Security Engineer", "SCADA Engineer", "IT Security Manager", "Network Engineer", "ISMS Officer",
            "Chief Information Security Officer"),
    "private": ("Security Engineer", "SOC Team Lead", "Chief Information Security Officer", "IT Risk Manager",
                "IT Auditor", "Network Security Engineer"),
    "academia": ("Lecturer in Computer Science", "Researcher, Network Security", "Head of IT Centre",
                 "Assistant Professor"),
    "ngo": ("Programme Officer", "Security Awareness Trainer"),
    "international": ("Programme Officer, Cybersecurity", "Senior Officer, Digital Cooperation"),
}
#: Sector-specific titles replace the org-type ones (a hospital's staff are not SCADA engineers).
SECTOR_JOB_TITLES = {
    "MED": ("Head of IT", "Hospital Information Systems Officer", "ISMS Officer"),
    "ELE": ("OT Security Engineer", "SCADA Engineer", "Control Centre Engineer", "IT Security Manager"),
}

# --- curricula: (AM, PM) pairs per teaching day; (title, type) -----------------------------------

_OPENING = (("Opening, orientation and programme overview", "orientation"),
            ("Japan's cybersecurity strategy and partners", "lecture"))
_COUNTRY_REPORTS = (("Country report presentations by participants", "presentation"),
                    ("Cyber threat landscape in Asia and the Pacific", "lecture"))
_CLOSING = (("Action plan presentations", "presentation"), ("Evaluation meeting and closing ceremony", "ceremony"))
_ACTION_PLAN = (("Post-test and course review", "test"), ("Action plan drafting with mentors", "hands_on"))

CURRICULA = {
    "csirt": (
        (("CSIRT services (FIRST CSIRT Services Framework 2.1)", "lecture"),
         ("Setting up a CSIRT: mandate and constituency", "lecture")),
        (("Incident handling process", "lecture"), ("Log analysis hands-on", "hands_on")),
        (("Malware analysis basics", "hands_on"), ("Site visit: national CSIRT coordination centre", "site_visit")),
        (("Digital forensics hands-on", "hands_on"), ("Vulnerability coordination and disclosure", "lecture")),
        (("Information sharing with TLP 2.0", "lecture"),
         ("Tabletop exercise: ransomware at a public hospital", "exercise")),
        (("SIM3 maturity self-assessment", "hands_on"), ("Working with APCERT and FIRST", "lecture")),
    ),
    "isms": (
        (("ISO/IEC 27001:2022 clauses 4–10", "lecture"), ("Context of the organisation and scope", "hands_on")),
        (("Information security risk assessment", "lecture"), ("Risk assessment workshop", "hands_on")),
        (("Annex A controls overview", "lecture"), ("Site visit: certified data centre", "site_visit")),
        (("Statement of Applicability exercise", "hands_on"),
         ("Incident management and business continuity", "lecture")),
        (("Internal audit practice", "hands_on"), ("Management review and continual improvement", "lecture")),
        (("Supplier and cloud security", "lecture"), ("Case study: ISMS in a power utility", "presentation")),
    ),
    "ics": (
        (("OT/ICS architecture and threats", "lecture"), ("ICS incident case studies", "lecture")),
        (("Security for power grids", "lecture"), ("Testbed hands-on: attacking a control system", "hands_on")),
        (("Testbed hands-on: detection and defence", "hands_on"), ("Site visit: power control centre", "site_visit")),
        (("IEC 62443 overview", "lecture"), ("Network segmentation for OT", "hands_on")),
        (("OT incident response", "lecture"),
         ("Tabletop exercise: phishing-led intrusion into a grid operator", "exercise")),
        (("Supply-chain security for industrial systems", "lecture"), ("Risk assessment for plants", "hands_on")),
    ),
    "workshop": (
        (("Incident handling process", "lecture"), ("Log analysis hands-on", "hands_on")),
        (("Network forensics hands-on", "hands_on"), ("Malware triage hands-on", "hands_on")),
        (("Memory forensics hands-on", "hands_on"), ("Reporting and evidence handling", "lecture")),
    ),
}
WORKSHOP_CLOSING = (("Capture-the-flag practice", "hands_on"), ("Wrap-up and certificates", "ceremony"))
EXERCISE_DAYS = (
    (("Exercise briefing and team formation", "orientation"),
     ("Module 1: detection and escalation (DDoS and extortion against a bank)", "exercise")),
    (("Module 2: containment and public communication", "exercise"),
     ("Hot wash and after-action review", "presentation")),
)
SITE_VISIT_VENUES = {"JP": "Chiyoda-ku, Tokyo"}

# --- status reasons ------------------------------------------------------------------------------

REASONS = {
    "nominated": ("Nominated by the national focal point", "Nominated by the employer through the alumni society",
                  "Nomination endorsed by the ministry"),
    "accepted": ("Selected by the screening committee",),
    "accepted_reserve": ("Replaces a nominee who withdrew",),
    "waitlisted": ("Reserve list: country quota already filled",),
    "rejected": ("Country quota already filled", "Does not meet the minimum of three years' experience",
                 "Nomination arrived after the deadline", "Application incomplete (no signed consent form)"),
    "rejected_reserve": ("Reserve not needed: all seats taken",),
    "confirmed": ("Participation confirmed by the trainee",),
    "withdrawn": ("Could not obtain a visa in time", "Employer withdrew the nomination (operational needs)",
                  "Personal reasons"),
    "withdrawn_late": ("Family emergency before departure", "Reassigned to an urgent incident at work"),
    "no_show": ("Flight cancelled; did not arrive", "Did not join any session"),
    "completed": ("Attendance and action plan requirements met",),
    "incomplete": ("Attendance below 80%", "Action plan not submitted"),
    "completed_late": ("Final report received after the course",),
}
