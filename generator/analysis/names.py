"""What a name looks like: the shared vocabulary of alias finding and matching.

A paper's name is worth linking only when it is distinctive: "ResNet", "GIST",
"DR-Tune", "RS5M", "Poincaré ResNet". Plain words ("Segment", "points") are
not, however they are capitalised at the start of a title.
"""
from __future__ import annotations

import re

__all__ = ["is_distinctive", "is_concept", "TOKEN_RE", "case_sensitive"]

TOKEN_RE = re.compile(r"[^\W_](?:[\w'^.+]*[^\W_])?(?:-[^\W_](?:[\w'^.+]*[^\W_])?)*", re.UNICODE)

# Names that many papers use and none introduces: concepts, not papers.
CONCEPTS = frozenset("""
AI AGI ML DL RL NLP NLU NLG CV IR QA VQA OCR ASR TTS SOTA OOD IID API GPU TPU CPU
LLM VLM MLLM LMM LVLM CNN RNN GNN DNN MLP GAN VAE LSTM GRU SSL KD FL ICL CoT SFT PEFT
RLHF DPO IoT AR VR XR MoE NeRF ViT 2D 3D 4D HD FPS FLOPs FLOP RGB RGB-D LiDAR MRI CT
ImageNet COCO GPT BERT
""".split())


def _strip_plural(name: str) -> str:
    return name[:-1] if len(name) > 2 and name.endswith("s") and name[-2].isupper() else name


def is_concept(name: str) -> bool:
    return name in CONCEPTS or _strip_plural(name) in CONCEPTS


def _distinctive_token(tok: str) -> bool:
    letters = [c for c in tok if c.isalpha()]
    if not letters:
        return False
    upper = sum(c.isupper() for c in letters)
    if any(c.isdigit() for c in tok) and letters:
        return True
    if upper >= 2:  # GIST, ResNet, DR-Tune, GeoRSCLIP
        return True
    # a capital after the first letter: "iPhone", "wav2vec" (digit case above)
    return upper == 1 and not letters[0].isupper()


def is_distinctive(name: str) -> bool:
    """Whether ``name`` can stand for one paper: some token must look coined."""
    name = name.strip()
    if len(name) < 2 or is_concept(name):
        return False
    tokens = [t.strip(".,:;!?()\"'") for t in re.split(r"[\s\-_/]+", name)]
    return any(_distinctive_token(t) and not is_concept(t) for t in tokens)


def case_sensitive(name: str) -> bool:
    """Coined names keep their case ("merit" is not MERIT); word phrases do not."""
    return is_distinctive(name) or len(name.split()) < 2
