"""Aliases and mentions, each rule on a tiny inline collection."""
import datetime as dt

from hypothesis import given, settings, strategies as st

from generator.analysis import find_links
from generator.analysis.acronyms import schwartz_hearst
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
    _, mentions, _ = find_links(c)
    (m,) = mentions
    assert m.evidence == "We fine-tune CLIP on them."
    assert m.evidence[m.start:m.end] == "CLIP" and m.alias == "CLIP"


def test_a_short_acronym_coined_in_passing_needs_its_long_form_to_be_meant():
    found, *_ = links(
        ("Better Masks", "We propose a novel Multi-level Mask Generation (MMG) module for segmentation."),
        ("Judge Models", "We test understanding and generation, as in MMG tasks across modalities."),
        ("Mask Follow Up", "We extend multi-level mask generation (MMG) with a temporal head."),
    )
    assert {src for src, _, _ in found} == {"Mask Follow Up"}


def test_a_name_written_before_the_claimant_was_listed_is_not_its_coinage():
    early = [PaperRecord(title=f"Aerial {i}", abstract="We evaluate detectors on the DOTA benchmark of aerial images.",
                         date=dt.date(2025, 3, i + 1), path="a.txt", line=i) for i in range(2)]
    later = [PaperRecord(title="DOTA: Deformable Optimized Transformer Architecture", abstract="A text spotter.",
                         date=D, path="b.txt", line=1),
             PaperRecord(title="Aerial Again", abstract="Results on DOTA improve.", date=D, path="b.txt", line=3)]
    c = build_collection(early + later)
    aliases, mentions, _ = find_links(c)
    assert not mentions
    assert all(a.how == "full-title" for a in aliases["dota-deformable-optimized-transformer-architecture"])


def test_a_paper_that_claims_a_name_itself_does_not_cite_another_by_it():
    found, *_ = links(
        ("PRISM: Probabilistic Shape Modeling", "A shape model."),
        ("PRISM: Perceptual Recognition of Moments", "We present PRISM for highlight detection."),
    )
    assert not found


def test_an_acronym_the_source_spells_differently_is_not_a_mention():
    found, *_ = links(
        ("VIP: Video Inpainting Pipeline", "We remove people from videos."),
        ("Drones for Walking", "Drones can assist Visually Impaired People (VIPs) outdoors; VIPs benefit."),
    )
    assert not found


def test_a_repository_named_after_the_papers_subject_is_not_its_name():
    _, aliases, _, c = links(
        ("Cracking the PUMA Challenge in a Day", "We win it. Code: https://github.com/someone/PUMA."),
        CLIP,
    )
    assert names(aliases, c, "Cracking the PUMA Challenge in a Day") == set()
    assert names(aliases, c, CLIP[0]) == {"CLIP"}


def test_a_proper_name_set_off_by_the_authors_is_an_alias_but_a_common_word_is_not():
    found, aliases, _, c = links(
        ("Adam: A Method for Stochastic Optimization", "We present Adam, a method for first-order optimization."),
        ("Trainer", "We train with Adam and a cosine schedule."),
        ("Vision as LoRA for Language Models", "We present Vision, a plug-in for language models. Our vision encoder is small."),
        ("Other", "Computer vision needs data; vision models grow."),
    )
    assert ("Trainer", "Adam: A Method for Stochastic Optimization", "Adam") in found
    assert names(aliases, c, "Vision as LoRA for Language Models") == set()


def test_survey_and_list_heads_of_titles_introduce_nothing():
    _, aliases, _, c = links(
        ("ChatGPT and U(X): A Rapid Review", "We review user experience studies."),
        ("Autoregressive Models in Vision: A Survey", "We survey the field."),
        ("GRES: Generalized Referring Expression Segmentation", "We propose a new benchmark."),
    )
    assert names(aliases, c, "ChatGPT and U(X): A Rapid Review") == set()
    assert names(aliases, c, "Autoregressive Models in Vision: A Survey") == set()
    assert names(aliases, c, "GRES: Generalized Referring Expression Segmentation") == {"GRES"}


def test_sizes_of_one_model_are_mentions_but_hyphenated_other_names_are_not():
    found, *_ = links(
        ("ResNet: Deep Residual Learning", "We propose residual networks."),
        ("CODA: Corner Cases", "A data set of corner cases."),
        ("Backbones", "We use ResNet-50 and ResNet-101 backbones."),
        ("Driving", "We test on the CODA-LM benchmark."),
    )
    assert ("Backbones", "ResNet: Deep Residual Learning", "ResNet") in found
    assert not any(src == "Driving" for src, _, _ in found)


def test_names_given_with_call_and_or_are_aliases():
    _, aliases, _, c = links(
        ("End-to-End Object Detection with Transformers", "The main ingredients of our framework, which we call DEtection TRansformer or DETR, are a loss and a transformer."),
        ("Decoupled Weight Decay Regularization", "We call the resulting methods SGDW and AdamW; code is available."),
        ("An Image is Worth 16x16 Words", "A pure transformer works well. We call this model the Vision Transformer (ViT)."),
    )
    assert "DETR" in names(aliases, c, "End-to-End Object Detection with Transformers")
    assert {"SGDW", "AdamW"} <= names(aliases, c, "Decoupled Weight Decay Regularization")
    assert "ViT" in names(aliases, c, "An Image is Worth 16x16 Words")


def test_someone_elses_named_thing_is_not_an_alias():
    _, aliases, _, c = links(
        ("Video Frame Interpolation with Diffusion", "We adapt and generalize a diffusion scheme called ResShift to video."),
        ("Lesion Detection in CT Scans", "Algorithms have been developed with a large public dataset called DeepLesion."),
        ("Pose Estimation of Novel Objects", "We evaluate our method on five challenging datasets: REAL275, HO3D and YCB."),
    )
    assert names(aliases, c, "Video Frame Interpolation with Diffusion") == set()
    assert names(aliases, c, "Lesion Detection in CT Scans") == set()
    assert names(aliases, c, "Pose Estimation of Novel Objects") == set()


def test_a_short_title_is_the_name_of_its_contribution():
    found, aliases, _, c = links(
        ("Poincaré ResNet", "A residual network in hyperbolic space."),
        ("Hyperbolic Vision Backbones Compared", "We compare Poincaré ResNet with Euclidean backbones."),
    )
    assert names(aliases, c, "Poincaré ResNet") == {"Poincaré ResNet"}
    assert ("Hyperbolic Vision Backbones Compared", "Poincaré ResNet", "Poincaré ResNet") in found


def test_namely_lists_what_there_is_and_claims_nothing():
    _, aliases, _, c = links(
        ("Flow Poses", "We propose FlowPose for 3D human pose estimation. Results show large gains of our FlowPose "
                       "over current methods on three common benchmarks for 3D human pose estimation, namely "
                       "Human3.6M, MPI-INF-3DHP and 3DPW."),
        ("Small Segmenters", "We design a compact network for segmentation. Our model, namely TinySeg, runs on phones."),
        ("Selecting Data", "We propose a simple Knowledge-aware Data Selection (namely KDS) framework for tuning."),
    )
    assert "Human3.6M" not in names(aliases, c, "Flow Poses")
    assert "TinySeg" in names(aliases, c, "Small Segmenters")
    assert "KDS" in names(aliases, c, "Selecting Data")


def test_a_name_the_source_introduces_or_spells_out_itself_cites_no_one():
    found, _, _, _ = links(
        ("DDT: Decoupled Diffusion Transformer", "We decouple the encoder and decoder of diffusion transformers."),
        ("SOAP: Style-Omniscient Animatable Portraits", "We animate portraits in any style."),
        ("Physical Video Tokens", "We first introduce the Diffusion Timestep Tokenizer (DDT), which learns recursive "
                                  "visual tokens for physically consistent video generation."),
        ("Clinical Notes", "Physicians document visits in SOAP (Subjective, Objective, Assessment, and Plan) notes, "
                           "which we generate from transcripts."),
        ("Faster Diffusion", "Our sampler speeds up DDT by half while keeping image quality."),
    )
    assert found == {("Faster Diffusion", "DDT: Decoupled Diffusion Transformer", "DDT")}


def test_an_acronym_may_be_spelled_out_after_it():
    from generator.analysis.acronyms import spelled_acronyms

    text = ("We introduce MAPLE (Modality-Aligned Preference Learning for Embeddings), unlike CLIP "
            "(Radford et al., 2021) and GPT-4o (OpenAI, 2024), trained with contrastive learning (CL).")
    assert spelled_acronyms(text) == {"MAPLE": "Modality-Aligned Preference Learning for Embeddings",
                                      "CL": "contrastive learning"}
    assert spelled_acronyms("the Italian NPN (noun-preposition-noun) family") == {"NPN": "noun-preposition-noun"}


def test_a_version_after_a_name_is_another_paper_but_a_score_is_not():
    found, _, _, _ = links(
        ("MoCo: Model Collaboration", "We study how models collaborate."),
        ("ImgEdit: A Unified Image Editing Benchmark", "We release an image editing benchmark."),
        ("Crops for SSL", "Multi-crop training destabilises predictor-based methods such as MoCo v3 and BYOL."),
        ("Editing by Reconstruction", "Post-training raises editing scores (ImgEdit 3.38 to 3.75)."),
        ("Collaboration Study", "We extend MoCo with new collaboration protocols."),
    )
    assert found == {("Editing by Reconstruction", "ImgEdit: A Unified Image Editing Benchmark", "ImgEdit"),
                     ("Collaboration Study", "MoCo: Model Collaboration", "MoCo")}


def test_a_name_inside_a_web_address_is_not_a_mention():
    found, _, _, _ = links(
        ("Phys4D: Physics-Consistent 4D Modeling", "We model physics in 4D from video diffusion."),
        ("Plausible Video", "Our home page is https://anonymous.4open.science/w/Phys4D/ for review."),
        ("Better Video", "We compare against Phys4D on physical plausibility."),
    )
    assert found == {("Better Video", "Phys4D: Physics-Consistent 4D Modeling", "Phys4D")}


@settings(max_examples=500, deadline=None)
@given(st.lists(st.text("ab ", min_size=1, max_size=4), min_size=1, max_size=6), st.text("ab c", max_size=8))
def test_a_word_tree_matches_what_the_list_of_words_matches(words, text):
    """The name rules write a list of words as a tree of their common beginnings (faster to
    match): for any words and text, with any continuation, the same match as the plain list."""
    import re

    from generator.analysis.aliases import _alternation

    plain = "|".join(map(re.escape, dict.fromkeys(words)))
    tree = _alternation(words)
    for after in ("", "(.*)", "b", "a?b", " c"):
        for flags in (0, re.IGNORECASE):
            one, two = re.match(f"(?:{plain}){after}", text, flags), re.match(f"(?:{tree}){after}", text, flags)
            assert (one and (one.span(), one.groups())) == (two and (two.span(), two.groups()))
