"""The four sample scenarios (BRIEF §4.3), written for this project. All organisations are fictional;
placeholders in braces are filled per country when a run is created.

Each inject: (scenario time, planned offset in minutes or None, channel, from, to, title, body,
[(role, expected action), …], contingency).
"""

from __future__ import annotations

HOSPITAL = {
    "title": "Ransomware at Riverbend General Hospital",
    "sector_code": "MED", "threat_type": "Ransomware with data theft (double extortion)", "tlp": "AMBER",
    "t0_clock": "06:40",
    "summary": (
        "Riverbend General Hospital is a 600-bed public hospital in {COUNTRY}. It runs an electronic patient "
        "record, a laboratory system, digital radiology (PACS) and automated pharmacy cabinets, most of them "
        "maintained remotely by outside vendors.\n\n"
        "You are the hospital's crisis team: director, medical director, head of IT and CSIRT lead, data "
        "protection officer and legal counsel, communications and finance. Play starts on a Monday, just before "
        "the morning shift change."),
    "objectives": [
        ("Activate incident response and escalate to hospital leadership within one hour.", "RS", "6.1"),
        ("Keep patients safe with downtime procedures while clinical systems are unavailable.", "RC", "6.6"),
        ("Contain the intrusion while preserving the evidence needed for analysis.", "RS", "6.3"),
        ("Meet notification duties towards {HEALTH_MINISTRY}, {DPA}, {NATIONAL_CSIRT} and the police.", "GV", "6.5"),
        ("Take the decision on the extortion demand through proper governance.", "GV", "6.6"),
    ],
    "modules": [
        ("Monday morning: systems go dark", "T+00:00", 50,
         "It is 06:40. The night shift is handing over. Several ward computers show a message in red, and "
         "clinicians report that systems they rely on are not answering. Nobody yet knows how far it goes."),
        ("Extortion and public pressure", "T+04:00", 45,
         "The hospital has been on paper for four hours. Staff are tired, the emergency department is "
         "crowded, and the first outside parties are starting to ask questions."),
        ("Leak, coordination and recovery", "Day 2 09:00", 50,
         "The incident is now in its second day and beyond. Other organisations are affected, the attackers "
         "are escalating, and the hospital must plan a safe return to normal operations."),
    ],
    "injects": [
        ("T+00:00", 0, "phone", "Night-shift nurse manager, Ward 4B", "IT on-call engineer",
         "Ransom note on ward computers",
         "“Three computers on 4B show a red screen saying our files are encrypted and that we must contact a "
         "*recovery team*. The lab results viewer is down and the pharmacy cabinets won't connect either. "
         "What should we do?”",
         [("IT on-call", "Open an incident ticket and call the CSIRT lead at once."),
          ("IT on-call", "Isolate the affected network segments but leave machines powered on for evidence."),
          ("Nursing management", "Tell every ward to switch to the paper downtime procedures.")], False),
        ("T+00:45", 15, "in_person", "Director of Nursing", "Hospital management",
         "Emergency department asks about diversion",
         "The emergency department cannot view radiology images: PACS is unreachable. The duty consultant asks "
         "whether incoming ambulances should be diverted to other hospitals.",
         [("Hospital director", "Convene the crisis management team."),
          ("Medical director", "Assess clinical risk and decide on diversion together with the provincial EMS."),
          ("Medical director", "Appoint a clinical lead for downtime operations.")], False),
        ("T+02:00", 30, "handout", "Security operations (EDR and firewall logs)", "CSIRT",
         "How the attacker got in",
         "Log extract: a maintenance vendor's VPN account logged in at 02:13 from a host abroad, then used "
         "remote desktop to reach the file servers. The online backup server is encrypted. The newest offline "
         "backup is nine days old.",
         [("CSIRT lead", "Disable the vendor account and reset privileged credentials."),
          ("CSIRT", "Block the indicators of compromise on the firewall and EDR."),
          ("CSIRT", "Preserve logs and disk images before anything is rebuilt."),
          ("Head of IT", "Check that the offline backups are intact and usable."),
          ("Procurement", "Inform the vendor and ask for its own investigation.")], False),
        ("T+04:00", 55, "email", "Unknown sender, to the director's mailbox", "Management, legal",
         "Extortion demand",
         "The sender wants USD 1.2 million in cryptocurrency within 72 hours. They claim to hold 300 GB of "
         "patient records and attach 50 sample records “as proof”.",
         [("Hospital director", "Do not reply on impulse; route all contact through the crisis team."),
          ("CSIRT", "Verify whether the sample records are genuine."),
          ("DPO", "Start the {DPA} notification clock and brief {HEALTH_MINISTRY}."),
          ("Legal", "Report to {POLICE_CYBER_UNIT} and {NATIONAL_CSIRT}."),
          ("Finance", "Check the cyber-insurance policy before any decision is taken.")], False),
        ("T+06:00", 70, "news", "Local TV reporter; viral social-media video", "Communications",
         "Patients turned away on camera",
         "A video of patients being sent away from the emergency department is spreading. A TV reporter wants "
         "a comment within the hour.",
         [("Communications", "Issue an approved holding statement through a single spokesperson."),
          ("Communications", "Open a hotline for patients and families."),
          ("Communications", "Do not speculate about stolen data.")], False),
        ("T+03:00", None, "phone", "Chair of the hospital board", "Hospital director",
         "The board chair wants to pay",
         "“I'm told paying is the quickest way back. Why haven't we done it already?”",
         [("Hospital director", "Explain who may decide on a ransom payment and on what basis."),
          ("Legal", "Brief the board on the legal and sanctions risks of paying.")], True),
        ("Day 2 09:00", 100, "advisory", "{NATIONAL_CSIRT} (TLP:AMBER)", "CSIRT",
         "Same vendor, other hospitals",
         "Two other hospitals that use the same maintenance vendor report similar intrusions. "
         "{NATIONAL_CSIRT} asks you to share indicators and join a coordination call at 11:00.",
         [("CSIRT", "Share indicators under the stated TLP marking."),
          ("CSIRT lead", "Join the sector coordination call."),
          ("Procurement", "Press the vendor to warn all of its customers.")], False),
        ("Day 3 14:00", 120, "social", "Threat-intelligence provider (leak-site screenshot)", "All",
         "Data published on the leak site",
         "Part of the data is now public, including a list of patients of the HIV clinic.",
         [("DPO", "Notify the affected patients and offer them support."),
          ("DPO", "Update the notification to {DPA}."),
          ("Legal", "Request takedowns and coordinate with the police.")], False),
        ("Day 5 10:00", 140, "handout", "IT status report", "Hospital management",
         "Restoration is possible",
         "The core patient-record system can be restored from clean offline backups. The vendor asks to "
         "reconnect its remote access to help.",
         [("Head of IT", "Restore systems in order of clinical priority."),
          ("CSIRT", "Validate and monitor restored systems before reconnecting any vendor."),
          ("Hospital director", "Schedule a lessons-learned review and ISMS corrective actions.")], False),
    ],
    "questions": [
        "Who in your organisation may order ambulance diversion, and who may decide on a ransom payment? "
        "Is either written down today?",
        "Which authorities must you notify in {COUNTRY}, by when, and who files each report?",
        "Which controls — supplier access (ISO 27001 A.5.19–5.22), backup (A.8.13), monitoring (A.8.16) — would "
        "have stopped or shortened this incident, and which would you fund first?",
    ],
}

BANK = {
    "title": "DDoS and extortion at Kraton Commercial Bank during {HOLIDAY}",
    "sector_code": "FIN", "threat_type": "DDoS with extortion; possible intrusion behind it", "tlp": "AMBER",
    "t0_clock": "19:30",
    "summary": (
        "Kraton Commercial Bank is a mid-sized retail bank in {COUNTRY} with mobile and internet banking, "
        "merchant QR payments and a national ATM network. The attack falls on the evening of {HOLIDAY}, "
        "when most staff are away and only a skeleton crew is on duty.\n\n"
        "You are the bank's incident team: CISO, SOC and network operations, operations and the contact "
        "centre, compliance, legal and communications."),
    "objectives": [
        ("Activate the DDoS runbook and upstream mitigation outside office hours.", "RS", "6.4"),
        ("Keep customers informed and payments running.", "RC", "6.6"),
        ("Meet the reporting rules of {CENTRAL_BANK}.", "GV", "6.5"),
        ("Detect a possible intrusion hidden behind the DDoS.", "DE", "5.2"),
        ("Counter misinformation about the bank's safety.", "RS", "8.3"),
    ],
    "modules": [
        ("Warning signs", "T-3 days", 20,
         "Three days before {HOLIDAY}. The bank's security team is preparing for a quiet holiday week."),
        ("A holiday evening under attack", "T+00:00", 80,
         "It is 19:30 on {HOLIDAY}. Families are celebrating; the bank runs on its holiday roster."),
        ("The morning after", "Day 2 08:00", 40,
         "The flood has eased. The bank must explain what happened and make sure nothing else happened."),
    ],
    "injects": [
        ("T-3 days", 0, "advisory", "Sector ISAC (TLP:GREEN)", "CISO",
         "Hacktivists threaten the banks",
         "A hacktivist channel threatens to “shut down {COUNTRY}'s banks over {HOLIDAY}”.",
         [("CISO", "Review the DDoS runbook and confirm ISP and scrubbing-service contacts and contract limits."),
          ("CISO", "Publish the holiday on-call roster."),
          ("Communications", "Pre-approve customer messages for an outage.")], False),
        ("T+00:00", 10, "alert", "Network monitoring", "NOC/SOC on-call",
         "Online banking times out",
         "Mobile and internet banking are timing out. Monitoring shows about 40 Gbps of mixed volumetric and "
         "HTTP flood traffic.",
         [("SOC", "Confirm an attack rather than a fault, and declare an incident."),
          ("NOC", "Engage the ISP and the scrubbing service."),
          ("NOC", "Turn on rate limiting and WAF rules."),
          ("SOC", "Wake the CISO.")], False),
        ("T+01:00", None, "phone", "Account manager, scrubbing provider", "CISO",
         "The contract cap",
         "“Your contract covers 10 Gbps. Lifting the cap tonight needs a signed change order.”",
         [("CISO", "Reach the person authorised to approve emergency spending."),
          ("Finance", "Approve or refuse the emergency spend and record why.")], True),
        ("T+00:40", 25, "phone", "Contact-centre supervisor", "Operations",
         "Call surge and failing QR payments",
         "Calls are surging. Merchants report that QR payments fail. ATMs still work.",
         [("Operations", "Post service-status messages on every channel and update the IVR."),
          ("Operations", "Coordinate with the national payment switch."),
          ("Operations", "Activate the branch contingency plan for the next morning.")], False),
        ("T+01:30", 45, "email", "Message to the bank's public inbox", "Management, legal",
         "Ransom demand",
         "The group demands 10 BTC and promises “a much bigger wave at midnight”.",
         [("CISO", "Escalate to the executive on call."),
          ("Legal", "Report to the police; the bank does not pay."),
          ("SOC", "Preserve the e-mail with its full headers."),
          ("Compliance", "Check what the regulator must be told.")], False),
        ("T+02:00", 60, "phone", "Supervisor at {CENTRAL_BANK}", "Compliance",
         "The regulator calls",
         "The supervisor asks for the initial incident report within the regulatory deadline.",
         [("Compliance", "File an initial report with the known facts, impact and actions."),
          ("Compliance", "Name one reporting officer for all further contact.")], False),
        ("T+03:30", 80, "alert", "SIEM", "SOC",
         "Strange admin logins",
         "During the flood, the SIEM shows successful logins to the administration portal from foreign IP "
         "addresses.",
         [("SOC", "Treat the DDoS as a possible smokescreen and investigate the logins."),
          ("SOC", "Force MFA and reset the affected accounts."),
          ("Fraud team", "Watch outgoing transfers closely.")], False),
        ("T+05:00", 100, "social", "Trending posts", "Communications",
         "“Bank hacked, money gone”",
         "Posts claiming that customers' money has disappeared are trending.",
         [("Communications", "Publish a factual statement (say funds are safe only once that is verified)."),
          ("Communications", "Align messages with the regulator and keep monitoring.")], False),
        ("Day 2 10:00", 125, "handout", "ISP incident report", "CSIRT",
         "Where the traffic came from",
         "Most attack traffic came from compromised home routers and IP cameras inside {COUNTRY}.",
         [("CSIRT", "Share the indicators with {NATIONAL_CSIRT} for botnet clean-up."),
          ("CISO", "Review capacity and contracts in a post-incident review.")], False),
    ],
    "questions": [
        "On a public holiday at 20:00, who can approve emergency spending with the scrubbing provider, and how "
        "do you reach them?",
        "What triggers mandatory reporting to {CENTRAL_BANK} and to {NATIONAL_CSIRT}, and what goes into the "
        "first report?",
        "How do you make sure a loud DDoS is not covering fraud or an intrusion?",
    ],
}

POWER = {
    "title": "Phishing into the control room at Delta Grid Corporation",
    "sector_code": "ELE", "threat_type": "Spear-phishing leading to an OT intrusion", "tlp": "AMBER",
    "t0_clock": "09:10",
    "summary": (
        "Delta Grid Corporation distributes electricity to two provinces of {COUNTRY}. Its control centre runs "
        "SCADA for about forty substations; engineers reach the OT network through a jump host in an IT/OT "
        "demilitarised zone.\n\n"
        "You are Delta Grid's joint IT/OT incident team: IT security, OT engineering, control-room operations, "
        "safety, management and communications."),
    "objectives": [
        ("Run a joint IT/OT incident response with safety first.", "RS", "6.5"),
        ("Decide when to move substations to manual or local operation.", "RS", "6.6"),
        ("Handle vendor remote-access requests safely.", "PR", "6.4"),
        ("Coordinate with {GRID_OPERATOR} and {ENERGY_REGULATOR}.", "GV", "6.5"),
        ("Share threat intelligence across borders.", "ID", "8.3"),
    ],
    "modules": [
        ("A phishing wave", "T+00:00", 40,
         "Tuesday, 09:10. The e-mail gateway has just flagged a message that it had let through yesterday."),
        ("Something moves in the control room", "T+03:00", 60,
         "Early afternoon. Operators are watching the evening peak forecast."),
        ("Across borders", "Day 2 08:00", 40,
         "The next morning. Outside information arrives and forensic work produces its first results."),
    ],
    "injects": [
        ("T+00:00", 0, "alert", "E-mail gateway (retrospective alert)", "IT security",
         "Fake grid-code e-mail",
         "Twelve staff received a fake “grid-code revision” e-mail. Three clicked the link; one SCADA engineer "
         "typed in their password.",
         [("IT security", "Reset the exposed credentials and check MFA."),
          ("IT security", "Purge the message from mailboxes and block the sender and domain."),
          ("IT security", "Review recent sign-ins of the affected accounts.")], False),
        ("T+01:30", 20, "handout", "VPN log extract", "IT/OT security",
         "A night-time connection",
         "The engineer's account connected at 02:00 from an unusual network and used the engineering jump host.",
         [("IT security", "Declare a joint IT/OT incident and involve OT operations and safety."),
          ("OT engineering", "Preserve the jump host for forensics."),
          ("OT engineering", "Do not wipe OT assets without an engineering review.")], False),
        ("T+03:00", 45, "phone", "Control-room operator", "OT operations",
         "Breaker flicker at S-14",
         "The breaker status of substation S-14 flickered on the HMI. The historian shows logins nobody "
         "recognises. There is no outage yet.",
         [("OT operations", "Send a field crew to verify the substation."),
          ("OT operations", "Consider switching S-14 to local/manual control."),
          ("OT operations", "Heighten monitoring and inform {GRID_OPERATOR}.")], False),
        ("T+04:00", 60, "email", "“ICS vendor support”", "OT engineering",
         "Urgent firmware advisory",
         "An e-mail citing a critical RTU firmware advisory asks for immediate remote access “to help”.",
         [("OT engineering", "Verify the request through known vendor contacts — it may be social engineering."),
          ("OT engineering", "If genuine, allow only supervised, logged, time-limited access.")], False),
        ("T+05:00", None, "meeting", "Safety manager", "Management",
         "Staff ask whether it is safe",
         "Field crews ask whether it is safe to operate breakers by hand while the cause is unknown.",
         [("Safety", "Confirm safe manual-operation procedures and communication with the control room."),
          ("Management", "Decide who authorises manual switching.")], True),
        ("T+06:00", 80, "phone", "{GRID_OPERATOR}", "Management",
         "Can you guarantee the evening peak?",
         "The grid operator asks whether Delta Grid can guarantee supply for the evening peak.",
         [("Management", "Decide on segmentation, islanding and contingency generation."),
          ("Management", "Give an honest risk statement."),
          ("Management", "Report to {ENERGY_REGULATOR}.")], False),
        ("Day 2 08:00", 100, "advisory", "{NATIONAL_CSIRT} (TLP:AMBER)", "CSIRT",
         "Same actor, neighbouring countries",
         "The same actor has hit utilities in two neighbouring countries. Indicators are attached.",
         [("CSIRT", "Hunt for the indicators in IT and OT networks."),
          ("CSIRT", "Share findings back and join the cross-border call.")], False),
        ("Day 2 15:00", 120, "handout", "Forensic report", "CSIRT, OT engineering",
         "Malware with a grid-protocol module",
         "Malware on the jump host includes a module able to send commands over a common grid telecontrol "
         "protocol.",
         [("OT engineering", "Rebuild the jump host and tighten the IT/OT DMZ and allow-lists."),
          ("OT engineering", "Add OT network monitoring and plan a staged restoration."),
          ("Management", "Update the authorities.")], False),
    ],
    "questions": [
        "Who has the authority to take substations to manual operation, and how do IT security and control-room "
        "operators share decisions?",
        "What asset inventory, segmentation and OT monitoring would let you answer “what did the attacker "
        "touch?” within hours?",
        "How should information be shared when the same actor targets grids in neighbouring ASEAN states?",
    ],
}

AIRLINE = {
    "title": "Loyalty-programme data breach at Mekong Air",
    "sector_code": "AVI", "threat_type": "API vulnerability, data scraping and follow-on phishing", "tlp": "AMBER",
    "t0_clock": "10:00",
    "summary": (
        "Mekong Air is a regional airline based in {COUNTRY} with a loyalty programme of four million members "
        "in many countries, including Japan and the EU. The programme's website and app use an API built and "
        "hosted by an outsourced developer abroad.\n\n"
        "You are Mekong Air's incident team: CSIRT/PSIRT, data protection officer, legal, procurement, "
        "communications and the board."),
    "objectives": [
        ("Handle the researcher's report through coordinated vulnerability disclosure.", "RS", "7.4"),
        ("Scope the breach and identify the data subjects by jurisdiction.", "ID", "6.2"),
        ("Meet several regulators' deadlines consistently.", "GV", "6.5"),
        ("Manage the outsourced developer.", "GV", "6.5"),
        ("Protect customers from follow-on fraud and phishing.", "PR", "9.1"),
    ],
    "modules": [
        ("A researcher writes in", "T+00:00", 50,
         "Monday, 10:00. An e-mail reaches the security mailbox from someone who has found a problem."),
        ("Regulators and suppliers", "Day 2 09:00", 45,
         "The next day. Several authorities want information, each on its own timetable."),
        ("Customers and the board", "Day 3 09:00", 45,
         "Criminals are using the story. The board must decide how far to go."),
    ],
    "injects": [
        ("T+00:00", 0, "email", "Independent security researcher", "CSIRT/PSIRT",
         "Other members' profiles on request",
         "“If you change the member ID in a loyalty API request, you get someone else's profile. I have not "
         "published this. Please tell me your timeline.”",
         [("CSIRT", "Acknowledge the report and validate it safely."),
          ("CSIRT", "Mitigate or fix the API and agree a disclosure timeline with the researcher."),
          ("CSIRT", "Start checking the logs for earlier abuse.")], False),
        ("T+03:00", 20, "handout", "Log analysis", "CSIRT, DPO",
         "Scraped 1.8 million times",
         "The endpoint was called about 1.8 million times from cloud IP addresses over three weeks. Some "
         "records include passport numbers and dates of birth.",
         [("DPO", "Scope and classify the data involved."),
          ("DPO", "List the affected members by country of residence (including Japan and the EU)."),
          ("Legal", "Put a legal hold on the relevant records.")], False),
        ("T+06:00", 40, "alert", "Dark-web monitoring service", "CSIRT, legal",
         "The dataset is for sale",
         "A forum post advertises the dataset, with samples containing frequent-flyer numbers and passport data.",
         [("CSIRT", "Verify the sample against your records."),
          ("Legal", "Inform the police and prepare notifications."),
          ("CSIRT", "Force credential resets and watch for mileage fraud.")], False),
        ("T+07:00", None, "news", "Aviation trade journalist", "Communications",
         "A journalist has the story",
         "A journalist says she has seen the forum post and will publish in two hours.",
         [("Communications", "Prepare a holding statement consistent with the facts known."),
          ("Legal", "Check that nothing said contradicts upcoming regulatory filings.")], True),
        ("Day 2 09:00", 55, "letter", "{DPA}; Japan's Personal Information Protection Commission; "
         "{CIVIL_AVIATION_AUTHORITY}", "Legal, DPO",
         "Three regulators, three timetables",
         "Each authority asks for information on its own deadline and in its own format.",
         [("DPO", "Build an obligations matrix: regulator, trigger, deadline, content."),
          ("Legal", "Keep one fact base and file consistently.")], False),
        ("Day 2 14:00", 75, "meeting", "Procurement", "Legal, CSIRT",
         "No breach clause in the contract",
         "The API was built and is hosted by an outsourced developer in another country. The contract has no "
         "breach-notification clause.",
         [("Procurement", "Demand cooperation and the supplier's logs."),
          ("Legal", "Review the contract against supplier controls (ISO 27001 A.5.19–5.21)."),
          ("Procurement", "Plan to fix the supplier terms.")], False),
        ("Day 3 09:00", 95, "social", "Customer e-mails and social media", "Communications, CSIRT",
         "“Compensation miles” phishing",
         "Phishing e-mails offering “compensation miles” impersonate Mekong Air.",
         [("Communications", "Warn customers through official channels."),
          ("CSIRT", "Take down look-alike domains with {NATIONAL_CSIRT} and the registrars."),
          ("CSIRT", "Check e-mail authentication (SPF, DKIM, DMARC).")], False),
        ("Day 3 15:00", 115, "meeting", "Board of directors", "Management",
         "Notify everyone or only those affected?",
         "Should all four million members be notified, or only the affected subset? Should the airline offer "
         "identity protection?",
         [("Management", "Take a risk-based decision and document the rationale."),
          ("Finance", "Approve the budget."),
          ("Communications", "Keep messages consistent across countries.")], False),
    ],
    "questions": [
        "Which countries' privacy laws apply to this breach, and how will you meet parallel deadlines without "
        "contradicting yourself?",
        "Which supplier-contract clauses and ISO 27001 controls would have reduced the impact?",
        "How do you treat the researcher fairly while regulators and media are watching?",
    ],
}

SCENARIOS = (HOSPITAL, BANK, POWER, AIRLINE)
