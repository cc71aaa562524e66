"""YAML texts that expand without bound when read naively: shared by the loader, CLI and web tests."""

from __future__ import annotations


def nested_aliases(levels: int = 9, width: int = 9) -> str:
    """A "billion laughs": each level lists the previous one ``width`` times (width**levels values)."""
    lines = ["process: laughs", 'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        items = ", ".join([f"*l{level - 1}"] * width)
        lines.append(f"l{level}: &l{level} [{items}]")
    return "\n".join(lines) + "\n"


RECURSIVE_LIST = "process: loop\nloop: &loop [*loop]\n"
RECURSIVE_MAPPING = "process: loop\nloop: &loop\n  again: *loop\n"
