"""Writes notebooks/01_nps.ipynb (unexecuted). Run tools/refresh_notebooks.py afterwards.

The notebook is kept as this script so that its text can be reviewed as a diff; edit here,
then rebuild and re-execute (``make notebooks``).
"""
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

cells = []


def md(text, tags=()):
    cells.append(new_markdown_cell(text.strip("\n"), metadata={"tags": list(tags)} if tags else {}))


def code(text, tags=()):
    cells.append(new_code_cell(text.strip("\n"), metadata={"tags": list(tags)} if tags else {}))


md("""
# NPS — ネット・プロモーター・スコア (Net Promoter Score)

**The business question.** Would our customers recommend us, and is that getting better or worse?
Who should the CS team call this week, and whom can we ask for a testimonial?
""")

md("""
**You will learn to**
1. compute NPS by hand from 0–10 answers, and say how precise it is (an interval, not just a number);
2. read NPS by touchpoint and over time, and tell a real change from noise;
3. turn the survey into action: detractors to call back, promoters to ask;
4. follow the *same* customers from one survey wave to the next;
5. avoid the classic mistakes (small samples, cultural bias, averaging the 0–10 scores).

This notebook is also the NPS section of the monthly report (`csa report`): cells tagged
`lesson` are left out of the report's HTML.

**Contents**: 0 Settings · 1 What NPS is · 2 By hand · 3 This period · 4 By touchpoint ·
5 Trend · 6 Is the change real? · 7 Follow-up lists · 8 Same customers, two waves ·
9 Pitfalls · 10 Takeaways · 11 Exercises · 12 References
""", tags=["lesson"])

md("""
## 0 Settings

Change the parameters below to analyse another period, a segment, or your own data
(`data_dir` points at a folder of exports; see `data/README.md`). Their defaults run on the
bundled sample; the period defaults to the latest month in the data, never to today's date.
""", tags=["lesson"])

code("""
data_dir = "../data/sample"  # folder with customers.csv and surveys.csv (tickets.csv optional)
period = ""                  # 2026-10 (month), 2026Q4 (quarter) or FY2026 (fiscal year); empty: latest in the data
freq = "month"               # month, quarter or fiscal_year (April start, 年度)
compare_period = ""          # period to compare with; empty: the period before
segment = ""                 # empty: all customers; or smb, mid_market, enterprise
plan = ""                    # empty: all plans; or starter, standard, premium
lang = "en"                  # language of charts and tables: en or ja
level = 0.95                 # confidence level of every interval
method = "adjusted-wald"     # interval method: adjusted-wald (Rocks 2016) or wald
min_n = 30                   # groups with fewer responses are flagged as too few to read
tz = "Asia/Tokyo"            # business time zone: periods are cut in it
mapping = ""                 # YAML mapping of your export's columns and values; empty: none
top_n = 10                   # rows shown in each follow-up list
""", tags=["parameters"])

code("""
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

import csa
from csa.metrics import nps as N
from csa import plots
from csa.periods import label

plots.use_japanese_font()
pd.set_option("display.max_colwidth", 40)

ds = csa.load(data_dir, tz=tz, mapping=mapping or None)
ds.require("surveys")
resp = N.responses(ds, segment=segment, plan=plan, freq=freq)
this = N.resolve_period(ds.surveys[ds.surveys["survey"] == "nps"], period, freq)
prev = N.resolve_period(resp, compare_period, freq) if compare_period else this - 1
this_label, prev_label = label(this, freq), label(prev, freq)
scope = ", ".join(f"{k} = {v}" for k, v in (("segment", segment), ("plan", plan)) if v) or "all customers"
display(Markdown(f"Period **{this_label}** (compared with {prev_label}); {scope}; "
                 f"{len(resp):,} NPS responses in the data."))
""")

md("""
## 1 What NPS is

NPS comes from one question: *"How likely are you to recommend us to a friend or colleague?"*,
answered on a **0–10** scale (source articles 000, 001).

| answer | group | 日本語 |
|---|---|---|
| 9–10 | **promoters** | 推奨者 |
| 7–8 | passives | 中立者 |
| 0–6 | **detractors** | 批判者 |

**NPS = % promoters − % detractors**, a number from −100 (everyone a detractor) to +100
(everyone a promoter). Passives count in the total but in neither group. Article 000 calls
**+50 and above excellent**; in Japan scores are usually far lower (see Pitfalls).

NPS is a **KPI of loyalty** (ロイヤルティ): it tends to move before the KGIs it drives — retention
(継続率), churn (解約率) and LTV (顧客生涯価値).
""")

md("""
## 2 By hand, on ten answers

Ten customers answered: 10, 9, 9, 10, 9, 8, 7, 8, 3, 6.
- promoters (9–10): 10, 9, 9, 10, 9 → **5** → 50 %
- passives (7–8): 8, 7, 8 → 3 → 30 %
- detractors (0–6): 3, 6 → **2** → 20 %
- NPS = 50 − 20 = **+30**

`csa.nps` gives the same, plus an interval:
""", tags=["lesson"])

code("""
ten = [10, 9, 9, 10, 9, 8, 7, 8, 3, 6]
print(N.nps(ten, level=level))
""", tags=["lesson"])

md("""
**How sure are we?** Ten answers say little. Score each answer +1 (promoter), 0 (passive) or
−1 (detractor); NPS is 100 × their mean, and one answer's variance is
**p + d − (p − d)²** (p, d = shares of promoters and detractors). The *adjusted-Wald* interval
(Rocks 2016, recommended by MeasuringU) first adds 3 to n and ¾ to the promoter and detractor
counts, which keeps it honest for small samples:
""", tags=["lesson"])

code("""
n, P, D = 10, 5, 2
p, d = (P + 0.75) / (n + 3), (D + 0.75) / (n + 3)
se = ((p + d - (p - d) ** 2) / (n + 3)) ** 0.5
print(f"adjusted NPS {100 * (p - d):.1f}, interval {100 * (p - d - 1.96 * se):.1f} to {100 * (p - d + 1.96 * se):.1f}")
""", tags=["lesson"])

md("""
The interval is centred on the adjusted NPS (+23, pulled towards 0 by the added counts), not
on the plain +30 that we report as the NPS itself.
From −19 to +65: with ten answers, the true NPS could be almost anything. That is why every
NPS in this notebook comes with its interval and its n.
""", tags=["lesson"])

md("""
## 3 This period's NPS
""")

code("""
head = N.headline(resp, this, level=level, method=method)
display(Markdown(N.describe(head, this_label, min_n=min_n)))
""")

code("""
overall = N.nps_table(resp[resp["period"] == this], None, level=level, method=method, min_n=min_n)
plots.nps_distribution(overall, lang=lang)
plt.show()
""")

md("""
## 4 By touchpoint (タッチポイント別)

Article 003 recommends asking at each key moment: **after a purchase, during a website visit,
after contacting support, after a sales call** — plus the periodic **relationship** survey sent
to all customers. Touchpoints differ: a customer who just had a problem solved answers
differently from one reading the help site. Compare a touchpoint with itself over time rather
than with another touchpoint.
""")

code("""
by_tp = N.nps_table(resp[resp["period"] == this], "touchpoint", level=level, method=method, min_n=min_n)
display(N.for_display(by_tp, lang))
""")

code("""
plots.nps_by_group(by_tp, "touchpoint", lang=lang, level=level)
plt.show()
""")

md("""
## 5 Trend (推移)

One point per period, with its interval as a band. Hollow points have fewer than `min_n`
responses. Months with a relationship-survey wave have many more responses (and a different
mix of touchpoints), so look at the band, not only the line.
""")

code("""
trend = N.nps_table(resp[resp["period"] <= this], "period", level=level, method=method, min_n=min_n)
trend["period"] = trend["period"].map(lambda p: label(p, freq))
plots.nps_trend(trend, lang=lang, level=level)
plt.show()
""")

md("""
## 6 Is the change real? (前期比)

Two periods are two independent samples. The difference of their NPS has its own interval
and a two-sided p-value (adjusted Wald). If the interval contains 0, the data cannot tell the
change from noise. Compare per touchpoint too: a change in the *mix* of touchpoints can move
the overall NPS while no touchpoint changed.
""")

code("""
display(N.for_display(N.compare_periods(resp, this, prev, level=level, method=method, min_n=min_n), lang))
display(N.for_display(N.compare_periods(resp, this, prev, "touchpoint", level=level, method=method, min_n=min_n), lang))
""")

md("""
**How many answers would we need?** To detect a change of 10 points with 80 % power, assuming
about 25 % promoters and 45 % detractors:
""")

code("""
need = N.sample_size(10, promoters=0.25, detractors=0.45, level=level, power=0.8)
display(Markdown(f"**{need:,} responses** per period (per group) to detect a 10-point change."))
""")

md("""
## 7 Follow-up lists (フォローアップ)

Article 003: **call detractors back** — find out what went wrong while it is fresh — and
**ask promoters for a testimonial** (お客様の声). Detractors come lowest score first, with their
comment and any ticket still open; promoters who left a comment come first.
""")

code("""
callbacks = N.followups(ds, resp, this, kind="detractor")
display(Markdown(f"**{len(callbacks):,} detractors** to call back in {this_label} (first {top_n} shown)."))
display(N.for_display(callbacks.head(top_n), lang))
""")

code("""
testimonials = N.followups(ds, resp, this, kind="promoter")
display(Markdown(f"**{len(testimonials):,} promoters** to ask for a testimonial in {this_label} (first {top_n} shown)."))
display(N.for_display(testimonials.head(top_n), lang))
""")

md("""
## 8 Same customers, two waves (再調査)

Article 003: *survey again, ideally the same customers, and watch the numbers move.* The
relationship survey re-asks every active customer every six months. For the customers who
answered both of the last two waves up to this period, the table shows how they moved between
groups, and a **paired** test tells whether their NPS changed — more sensitive than comparing two
independent samples, because each customer is compared with themself.
""")

code("""
waves = [w for w in N.relationship_waves(resp) if w <= this.asfreq("M", "end")]
if len(waves) >= 2:
    moved = N.paired_change(resp, waves[-2], waves[-1], level=level)
    display(Markdown(str(moved)))
    display(N.for_display(moved.transitions, lang))
else:
    display(Markdown("Fewer than two relationship-survey waves up to this period: no paired comparison."))
""")

md("""
## 9 Pitfalls (注意点)

- **Small n.** Under about 30 answers the interval spans tens of points (section 2). Never rank
  agents, teams or months on a handful of answers; the tables flag them.
- **Culture and region.** Article 001 warns that answers differ by culture and region. Japanese
  respondents give 9 or 10 less readily than, say, American ones, so a negative NPS in Japan is
  common and not by itself alarming. Compare with your own past and with Japanese benchmarks,
  not with global ones.
- **Touchpoint mix.** The overall NPS mixes touchpoints; when the mix changes (a survey wave), the
  overall number moves even if nothing else did.
- **Averaging the 0–10 scores is not NPS.** Two groups with the same average can have very
  different NPS:
""", tags=["lesson"])

code("""
a = [8] * 10                 # everyone passive
b = [10] * 6 + [3] * 4       # a split crowd
print(f"mean {sum(a) / 10:.1f} vs {sum(b) / 10:.1f};  NPS {N.nps(a).value:+.0f} vs {N.nps(b).value:+.0f}")
""", tags=["lesson"])

md("""
The group with the *lower* average has the *higher* NPS. Report NPS as defined, with its n and
interval; if you also show the mean, call it "mean likelihood to recommend", not NPS.
""", tags=["lesson"])

md("""
## 10 Takeaways

- NPS = % promoters (9–10) − % detractors (0–6); passives count only in the total.
- Always give n and an interval; adjusted Wald is the default.
- Read each touchpoint against itself over time; check a change with its interval before acting.
- Use the survey: call back detractors, ask promoters for testimonials, re-survey the same customers.
""")

md("""
## 11 Exercises

1. By hand: 40 answers — 12 promoters, 18 passives, 10 detractors. What is the NPS?
2. Which touchpoint has the widest interval this period, and why?
3. Re-run this notebook for `segment = "enterprise"`. Which numbers can you still trust?
4. How many answers per month would you need to detect a 5-point change?

<details><summary>Solutions</summary>

1. 12/40 = 30 %, 10/40 = 25 % → NPS = **+5**. Check: `N.nps([9] * 12 + [7] * 18 + [0] * 10).value`.
2. The one with the fewest answers: the interval shrinks with √n. Look at the `n` column of section 4.
3. Fewer answers → wider intervals; rows flagged "too few to read" should not be interpreted.
4. `N.sample_size(5, promoters=0.25, detractors=0.45)` — about four times the answers needed
   for 10 points, since n grows with 1/Δ².
</details>
""", tags=["lesson"])

md("""
## 12 References

- Source articles 000 (satisfaction KPIs, NPS scale and "+50 is excellent"), 001 (NPS definition,
  cultural caveat), 003 (touchpoints, follow-up, re-survey): summarised in [SOURCES.md](SOURCES.md).
- Rocks, B. (2016). Interval Estimation for the "Net Promoter Score". *The American Statistician*, 70(4), 365–372.
- Sauro, J. & Lewis, J. — MeasuringU articles on NPS confidence intervals and comparing two NPS.
- Reichheld, F. (2003). The One Number You Need to Grow. *Harvard Business Review*.
""")

nb = new_notebook(cells=cells, metadata={
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
})
out = Path(__file__).resolve().parents[1] / "notebooks" / "01_nps.ipynb"
nbformat.write(nb, out)
print("wrote", out)
