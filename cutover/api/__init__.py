"""Probing the platform's HTTP API from outside, driven by its OpenAPI document."""
