"""Deterministic demo data: settings (``params/demo.yaml``) and the generator that draws them."""

from perfreport.demo.generator import OBSERVATION_COLUMNS, demo_periods, generate, write_demo
from perfreport.demo.settings import DemoSettings, SeriesSpec, load_demo_settings

__all__ = [
    "OBSERVATION_COLUMNS",
    "DemoSettings",
    "SeriesSpec",
    "demo_periods",
    "generate",
    "load_demo_settings",
    "write_demo",
]
