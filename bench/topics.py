"""Agreement of discovered topics with the papers' primary arXiv categories: a sanity floor.

Usage: python -m bench.topics [DAYS]   (default 30 days of ../shared/data/arxiv-daily)

Purity: the share of papers whose own topic's most common primary category is theirs.
NMI: normalised mutual information between own topic and primary category (scikit-learn).
Categories are coarse (cs.CV holds most papers), so these are floors, not targets.
"""
from __future__ import annotations

import sys
import time
from collections import Counter, defaultdict

from sklearn.metrics import normalized_mutual_info_score

from generator.build import build_site

from .corpus import content_folder, days


def agreement(site) -> tuple[float, float, int]:
    own = {pid: tids[0] for pid, tids in site.analysis.paper_topics.items() if tids}
    cat = {pid: p.categories[0] for pid, p in site.collection.papers.items() if p.categories}
    pids = sorted(set(own) & set(cat))
    by_topic: dict[str, Counter] = defaultdict(Counter)
    for pid in pids:
        by_topic[own[pid]][cat[pid]] += 1
    purity = sum(c.most_common(1)[0][1] for c in by_topic.values()) / len(pids)
    nmi = normalized_mutual_info_score([cat[p] for p in pids], [own[p] for p in pids])
    return purity, nmi, len(pids)


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 30
    content = content_folder(days(n))
    start = time.perf_counter()
    site = build_site(content)
    seconds = time.perf_counter() - start
    purity, nmi, count = agreement(site)
    majority = Counter(p.categories[0] for p in site.collection.papers.values() if p.categories).most_common(1)[0]
    print(f"{'days':>5} {'papers':>7} {'topics':>6} {'largest':>7} {'purity':>6} {'NMI':>5} {'majority':>14} {'seconds':>7}")
    print(f"{n:5d} {count:7d} {len(site.analysis.topics):6d} "
          f"{max(len(t.papers) for t in site.analysis.topics) / count:7.1%} {purity:6.3f} {nmi:5.3f} "
          f"{majority[0] + ' ' + format(majority[1] / count, '.0%'):>14} {seconds:7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
