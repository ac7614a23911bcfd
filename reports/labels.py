"""Workbook words in English and Japanese: headers, indicator names, row labels and definitions.

One mapping for the whole workbook (``--lang ja``). Sheet names stay English in both languages:
they are part of the contract that scripts rely on (ARCHITECTURE §4.3).
"""

from __future__ import annotations

#: English header → Japanese header (every header of every built-in sheet).
JA: dict[str, str] = {
    # Summary
    "Indicator": "指標", "Value": "値",
    "Cohorts": "コース数", "Participants": "参加者数（実人数）", "Enrolments": "受講者数（延べ）",
    "Completed": "修了者数", "Completion rate": "修了率", "Countries": "参加国数", "Female share": "女性比率",
    "Person-days": "研修人日", "Mean pre-test": "事前テスト平均", "Mean post-test": "事後テスト平均",
    "Normalised gain": "正規化ゲイン", "Satisfaction (mean 1–5)": "満足度（5段階平均）",
    "Exercises run": "演習実施回数",
    # Participants
    "Enrolment ID": "受講ID", "Trainee ID": "研修員ID", "Family name": "姓", "Given names": "名",
    "Gender": "性別", "Nationality": "国籍", "Organisation": "所属", "Organisation country": "所属国",
    "Sector": "分野", "Org type": "組織種別", "Public/Private": "官民区分", "Cohort": "コース",
    "Fiscal year": "年度", "Modality": "実施形態", "Status": "状態", "Attendance %": "出席率",
    "Pre-test %": "事前テスト", "Post-test %": "事後テスト",
    # By country / By sector
    "Country code": "国コード", "Country": "国名", "Female": "女性", "Male": "男性",
    "Other/not stated": "その他・無回答", "Sector code": "分野コード", "Public": "公的", "Private": "民間",
    "Other": "その他",
    # By cohort / By fiscal year / Learning
    "Title": "名称", "Host country": "実施国", "Start": "開始日", "End": "終了日", "Training days": "研修日数",
    "Cumulative enrolments": "累計受講者数（延べ）", "Paired trainees": "事前・事後とも受験した人数",
    "Mean pre %": "事前テスト平均", "Mean post %": "事後テスト平均",
    # Definitions
    "Figure": "項目", "Definition": "定義",
    # Row labels
    "Total": "合計", "ASEAN": "ASEAN",
}

#: Summary-sheet 'Completed' row would clash with the Participants 'Completed' header in Japanese.
PARTICIPANT_COMPLETED_JA = "修了"


def t(text: str, lang: str) -> str:
    """The Japanese for a workbook word when ``lang == 'ja'``, else the English."""
    return JA.get(text, text) if lang == "ja" else text


def headers(names, lang: str) -> list[str]:
    return [t(n, lang) for n in names]


# Definitions: (figure, English text, Japanese text). The Definitions sheet and the dashboard's
# Definitions panel both show these.
DEFINITIONS: tuple[tuple[str, str, str], ...] = (
    ("Enrolments",
     "An enrolment counts when its status is confirmed, completed or incomplete. 'Enrolments' everywhere "
     "means counted enrolments (nominated, accepted, waitlisted, rejected, withdrawn and no-show are not counted). "
     "A person in two cohorts is two enrolments.",
     "受講者数（延べ）は状態が「参加確定」「修了」「未修了」の受講のみを数える。推薦・受入決定・補欠・不採用・辞退・"
     "不参加は数えない。2つのコースに参加した人は2と数える。"),
    ("Completed", "Counted enrolments with status completed.", "状態が「修了」の受講の数。"),
    ("Participants", "Distinct trainees (persons) among the counted enrolments.",
     "対象となる受講に含まれる研修員の実人数（同一人物は1と数える）。"),
    ("Cohorts", "Distinct cohorts (course runs) with at least one counted enrolment.",
     "対象となる受講が1件以上あるコース（研修の実施回）の数。"),
    ("Countries", "Distinct nationalities among the counted enrolments.", "対象となる受講者の国籍の種類数。"),
    ("Completion rate", "Completed / Enrolments, stored as a fraction (0.75) with a percent format.",
     "修了者数 ÷ 受講者数（延べ）。小数（0.75）で保存し、パーセント表示。"),
    ("Female share", "Counted enrolments of female trainees / Enrolments, stored as a fraction.",
     "女性の受講数 ÷ 受講者数（延べ）。小数で保存。"),
    ("Training days", "Inclusive calendar days from a cohort's start date to its end date.",
     "コースの開始日から終了日までの暦日数（両端を含む）。"),
    ("Person-days",
     "Summed over counted enrolments: where attendance was taken for the cohort (any attendance row), the days "
     "attended, i.e. distinct session dates with the trainee marked present or late (several sessions on one day "
     "count as one day); where no attendance was taken for the cohort, the cohort's training days.",
     "対象となる受講ごとに合計する。そのコースで出欠を記録している場合は出席日数（出席または遅刻と記録されたセッションの"
     "日付の種類数。同じ日に複数セッションがあっても1日）、出欠を記録していない場合はコースの研修日数。"),
    ("Attendance %",
     "Sessions attended (present or late) / the cohort's sessions for which attendance was recorded; empty when "
     "no attendance was taken for the cohort.",
     "出席（出席・遅刻）したセッション数 ÷ 出欠が記録されたセッション数。出欠を記録していないコースは空欄。"),
    ("Fiscal year",
     "Japan's fiscal year, held as its starting calendar year (2024 = 1 Apr 2024 – 31 Mar 2025). A cohort "
     "belongs to the fiscal year of its start date.",
     "日本の会計年度。開始年の整数で表す（2024 = 2024年4月1日～2025年3月31日）。コースは開始日の年度に属する。"),
    ("ASEAN",
     "Subtotal of nationalities that were ASEAN members on the start date of each enrolment's cohort "
     "(Timor-Leste from 26 Oct 2025), so reports of earlier years count ASEAN-10.",
     "各受講のコース開始日時点でASEAN加盟国であった国籍の小計（東ティモールは2025年10月26日から）。"
     "過去の年度はASEAN10か国で集計される。"),
    ("Public/Private",
     "From the organisation type: government, regulator, national CSIRT, state-owned enterprise and "
     "international organisations are Public; private companies and NGOs are Private; academia is Other.",
     "組織種別から判定する。政府機関・規制当局・ナショナルCSIRT・国有企業・国際機関は公的、民間企業・NGOは民間、"
     "学術機関はその他。"),
    ("Pre-test %, Post-test %",
     "Each enrolment's score in the cohort's named pre-test and post-test (first submitted attempt; the mean "
     "over the cohort's courses when several name tests), in percent stored as a fraction. Empty when not taken.",
     "各受講について、コースで指定された事前・事後テストの得点率（最初に提出した受験。複数の講座で指定がある場合は"
     "その平均）。小数で保存。未受験の場合は空欄。"),
    ("Mean pre-test, Mean post-test",
     "Means over paired enrolments only (both a pre-test and a post-test score).",
     "事前・事後の両方を受験した受講（ペア）のみの平均。"),
    ("Normalised gain",
     "Hake's gain on the paired means: (mean post − mean pre) / (100 − mean pre), with scores in percent; "
     "below 0.3 low, 0.3–0.7 medium, above 0.7 high. Empty without paired scores or when mean pre is 100.",
     "Hakeの正規化ゲイン：(事後平均 − 事前平均) ÷ (100 − 事前平均)（得点は百分率）。0.3未満は低、0.3～0.7は中、"
     "0.7超は高。ペアがない場合や事前平均が100の場合は空欄。"),
    ("Satisfaction (mean 1–5)",
     "Mean of every 1–5 answer in the end-of-course (reaction) surveys of the cohorts in scope. Anonymous answers "
     "cannot be tied to a trainee, so satisfaction follows the filter by cohort, not by trainee attributes. The "
     "Satisfaction sheet gives, per survey item: responses, mean, the share answering 4 or 5, and the response rate "
     "(respondents / counted enrolments of the cohort).",
     "対象コースの修了時アンケートにおける5段階回答すべての平均。匿名回答は研修員と結び付けられないため、満足度は"
     "研修員の属性ではなくコース単位で絞り込む。満足度シートには設問ごとに回答数、平均、4・5の回答割合、回答率"
     "（回答者数 ÷ コースの対象受講者数）を示す。"),
    ("Action plans sheet",
     "Per cohort: counted enrolments, action plans submitted, plans acknowledged by the supervisor, and the response "
     "rates of the 3-, 6- and 12-month follow-up surveys (respondents / counted enrolments; empty when not "
     "scheduled).",
     "コースごとに対象受講者数、提出されたアクションプラン数、上司が確認したプラン数、3・6・12か月後フォローアップ"
     "調査の回答率（回答者数 ÷ 対象受講者数。未設定の場合は空欄）。"),
    ("Exercises run", "Exercise runs held (running, paused, ended or evaluated) for the cohorts in scope. The "
     "Exercises sheet lists each run with its teams, players, objectives, overall P/S/M/U ratings and improvement "
     "items.",
     "対象コースで実施した演習（実施中・一時停止・終了・評価済み）の回数。演習シートには各演習のチーム数、"
     "プレイヤー数、目標数、全体のP/S/M/U評価、改善項目を示す。"),
    ("Participants sheet",
     "One row per counted enrolment (so its rows equal Enrolments; a person in two cohorts has two rows), "
     "ordered by cohort start date, cohort code and name. 'Completed' is 1 or 0. Without personal data "
     "(--no-pii) the name columns are left out; e-mail and date of birth are never exported.",
     "対象となる受講1件につき1行（行数は受講者数（延べ）と一致。2コースに参加した人は2行）。コース開始日・コース・氏名の順。"
     "「修了」は1または0。個人情報なし（--no-pii）の場合は氏名列を出力しない。メールアドレスと生年月日は出力しない。"),
    ("Row order",
     "By country by country code, then the ASEAN subtotal and the Total; By sector by sector code, then Total; "
     "By cohort by start date; By fiscal year ascending. Only countries and sectors with at least one counted "
     "enrolment are listed.",
     "国別は国コード順の後にASEAN小計と合計、分野別は分野コード順の後に合計、コース別は開始日順、年度別は年度の昇順。"
     "対象となる受講が1件以上ある国・分野のみを表示する。"),
    ("Cumulative enrolments",
     "Running total of Enrolments over the fiscal years shown (from the first fiscal year in the report).",
     "表示している年度の受講者数（延べ）の累計（レポートの最初の年度から）。"),
    ("Names",
     "Country and sector columns hold names (Japanese with --lang ja); code columns keep their codes. "
     "Text that starts with =, +, -, @ or a control character is stored as text, never as a formula.",
     "国名・分野名は名称（--lang ja では日本語）、コード列はコードのまま。=、+、-、@ や制御文字で始まる文字列は"
     "数式ではなく文字列として保存する。"),
)


def definitions(lang: str) -> list[tuple[str, str]]:
    """(figure, definition) in the chosen language."""
    return [(t(figure, lang) if lang == "ja" else figure, ja if lang == "ja" else en)
            for figure, en, ja in DEFINITIONS]
