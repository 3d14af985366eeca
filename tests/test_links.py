"""Aliases and mentions, each rule on a tiny inline collection."""
import datetime as dt

from generator.analysis import find_links
from generator.analysis.aliases import find_aliases, schwartz_hearst
from generator.analysis.mentions import find_mentions
from generator.collection import build_collection
from generator.model import PaperRecord
from generator.text import find_urls

D = dt.date(2025, 8, 5)


def collection(*papers):
    return build_collection([
        PaperRecord(title=t, abstract=a, date=D, path="d.txt", line=i, links=tuple(find_urls(a)))
        for i, (t, a) in enumerate(papers, 1)
    ])


def links(*papers):
    c = collection(*papers)
    aliases, mentions, ambiguous = find_links(c)
    title = {pid: p.title for pid, p in c.papers.items()}
    return {(title[m.source], title[m.target], m.alias) for m in mentions}, aliases, ambiguous, c


CLIP = ("Learning Transferable Visual Models From Natural Language Supervision",
        "We learn image representations from captions. Code is at https://github.com/OpenAI/CLIP.")


def names(aliases, c, title):
    pid = next(p for p, paper in c.papers.items() if paper.title == title)
    return {a.name for a in aliases[pid] if a.how != "full-title"}


def test_title_prefix_definitions_and_repository_give_aliases():
    _, aliases, _, c = links(
        ("GIST: Generating Image-Specific Text", "We propose a method for captions."),
        ("Sparse Things", "We introduce SparseFormer, a transformer for sparse inputs."),
        ("Detect More", "We present a new benchmark called gRefCOCO for expressions."),
        CLIP,
    )
    assert names(aliases, c, "GIST: Generating Image-Specific Text") == {"GIST"}
    assert "SparseFormer" in names(aliases, c, "Sparse Things")
    assert "gRefCOCO" in names(aliases, c, "Detect More")
    assert names(aliases, c, CLIP[0]) == {"CLIP"}


def test_acronym_is_owned_only_when_introduced():
    _, aliases, _, c = links(
        ("Generalized Segmentation", "We propose Generalized Referring Expression Segmentation (GRES), which extends classic RES."),
        ("Another Paper", "Referring expression segmentation (RES) is a popular task that we study with new losses."),
        ("Tuning Study", "We evaluate parameter-efficient fine-tuning (PEFT) methods on many tasks."),
    )
    assert "GRES" in names(aliases, c, "Generalized Segmentation")
    assert "RES" not in names(aliases, c, "Another Paper")
    assert "PEFT" not in names(aliases, c, "Tuning Study")
    assert schwartz_hearst("MRL", "our contribution is Matryoshka Representation Learning") == "Matryoshka Representation Learning"


def test_matching_respects_case_tokens_hyphens_and_versions():
    found, *_ = links(
        CLIP,
        ("MERIT: Multilingual Retrieval", "A retrieval benchmark."),
        ("User One", "We fine-tune CLIP's image encoder with a CLIP-based loss; merit is high."),
        ("User Two", "GeoRSCLIP and OpenCLIP are different models; Open-CLIP too."),
        ("User Three", "We compare with MERIT on retrieval."),
    )
    assert ("User One", CLIP[0], "CLIP") in found
    assert not any(src == "User One" and alias == "MERIT" for src, _, alias in found)  # "merit" is a word
    assert not any(src == "User Two" for src, _, _ in found)
    assert ("User Three", "MERIT: Multilingual Retrieval", "MERIT") in found


def test_versions_are_different_names():
    found, *_ = links(
        ("Inception-v4: Deeper Networks", "A new network."),
        ("Old Models", "We use Inception-v3 as the backbone."),
        ("New Models", "We use Inception-v4 as the backbone."),
    )
    assert {src for src, _, _ in found} == {"New Models"}


def test_plural_of_a_phrase_name_is_a_mention():
    found, *_ = links(
        ("Model soups: averaging weights of fine-tuned models", "We average weights."),
        ("Merging", "We build a model soup from checkpoints."),
    )
    assert ("Merging", "Model soups: averaging weights of fine-tuned models", "Model soups") in found


def test_a_quoted_full_title_is_a_mention_but_the_same_words_in_prose_are_not():
    found, *_ = links(
        ("Attention Is All You Need", "We propose a network built on attention alone."),
        ("Follow Up", 'As argued in "Attention Is All You Need", recurrence can go.'),
        ("Prose", "We show that attention is all you need for this small task."),
        ("Unlearning Sensitive Content From Large Language Models Task", "A shared task on forgetting."),
        ("Entry", "Our entry to the unlearning sensitive content from large language models task ranks first."),
    )
    assert ("Follow Up", "Attention Is All You Need", "Attention Is All You Need") in found
    assert not any(src == "Prose" for src, _, _ in found)
    assert ("Entry", "Unlearning Sensitive Content From Large Language Models Task",
            "Unlearning Sensitive Content From Large Language Models Task") in found  # long titles: any case


def test_a_phrase_many_papers_write_is_vocabulary_not_a_name():
    common = [(f"Paper {i}", f"We study deep learning for case {i}.") for i in range(6)]
    found, aliases, _, c = links(("Deep Learning", "A review of the field."), *common)
    assert names(aliases, c, "Deep Learning") == set() and not found


def test_someone_elses_repository_is_not_an_alias():
    _, aliases, _, c = links(
        ("A Detector With a New Head", "Our code is built on https://github.com/facebookresearch/Detectron2 and adds a head."),
    )
    assert names(aliases, c, "A Detector With a New Head") == set()


def test_concepts_are_not_aliases():
    _, aliases, _, c = links(
        ("LLM: a study", "We propose Large Language Models (LLM) for things."),
    )
    assert names(aliases, c, "LLM: a study") == set()


def test_two_papers_introducing_one_name_is_reported_not_guessed():
    found, _, ambiguous, _ = links(
        ("DINO: Self-Distillation With No Labels", "We propose self-distillation with no labels (DINO) for vision."),
        ("DINO: DETR with Improved Denoising Anchor Boxes", "We present DETR with improved denoising anchor boxes (DINO)."),
        ("Uses Long Form", "We build on DETR with improved denoising anchor boxes, DINO, for detection."),
        ("Uses Bare Name", "We compare against DINO on our benchmark."),
    )
    assert ("Uses Long Form", "DINO: DETR with Improved Denoising Anchor Boxes", "DINO") in found
    assert not any(src == "Uses Bare Name" for src, _, _ in found)
    assert "DINO" in ambiguous


def test_evidence_is_the_sentence_and_the_span_is_the_name():
    c = collection(CLIP, ("User", "Images are hard. We fine-tune CLIP on them. The end."))
    mentions, _ = find_mentions(c, find_aliases(c))
    (m,) = mentions
    assert m.evidence == "We fine-tune CLIP on them."
    assert m.evidence[m.start:m.end] == "CLIP" and m.alias == "CLIP"
