"""What a name looks like: the shared vocabulary of alias finding and matching.

A paper's name is worth linking only when it is distinctive: "ResNet", "GIST",
"DR-Tune", "RS5M", "Poincaré ResNet". Plain words ("Segment", "points") are
not, however they are capitalised at the start of a title.
"""
from __future__ import annotations

import functools
import re

__all__ = ["is_distinctive", "is_concept", "TOKEN_RE", "case_sensitive"]

TOKEN_RE = re.compile(r"[^\W_](?:[\w'^.+]*[^\W_])?(?:-[^\W_](?:[\w'^.+]*[^\W_])?)*", re.UNICODE)

# Names that many papers use and none introduces: concepts, not papers.
CONCEPTS = frozenset("""
AI AGI ML DL RL NLP NLU NLG CV IR QA VQA OCR ASR TTS NER POS MT SOTA OOD IID API GPU TPU CPU
LLM VLM MLLM LMM LVLM SLM CNN RNN GNN DNN MLP SSL KD FL ICL CoT SFT PEFT RAG RLHF IoT AR VR XR
MoE 2D 3D 4D HD FPS FLOPs FLOP RGB RGB-D LiDAR MRI fMRI CT PET EEG ECG UAV SAR IMU GPS SLAM
EMA FPR TPR AUC ROC mAP AP IoU mIoU PSNR SSIM LPIPS FID FVD BLEU ROUGE METEOR CIDEr WER
PCA SVD KL ODE SDE PDE MPC PID FPGA SoC ASIC CUDA SQL JSON HTML XML PDF GUI DSL URL ReID
MAP MLE EM CRF HMM SVM KNN GMM PnP SGD MSE RMSE BN ReLU GELU PPG rPPG iPPG OOV
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


@functools.lru_cache(maxsize=1 << 17)  # names recur: in alias rules, in the matcher, per paper
def is_distinctive(name: str) -> bool:
    """Whether ``name`` can stand for one paper: some token must look coined."""
    name = name.strip()
    if len(name) < 2 or is_concept(name):
        return False
    tokens = [t.strip(".,:;!?()\"'") for t in re.split(r"[\s\-_/]+", name)]
    return any(_distinctive_token(t) and not is_concept(t) for t in tokens)


@functools.lru_cache(maxsize=1 << 17)
def case_sensitive(name: str) -> bool:
    """Coined names keep their case ("merit" is not MERIT), and so do names in Title Case
    ("Matryoshka Representation Learning"); a term in sentence case ("Model soups") does not."""
    words = name.split()
    if is_distinctive(name) or len(words) < 2:
        return True
    return all(w[:1].isupper() or not w[:1].isalpha() or w.lower() in _MINOR for w in words[1:])


_MINOR = frozenset("a an the of in on for to and or with via from by at as is are".split())
