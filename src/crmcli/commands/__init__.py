"""Thin Typer groups, one per noun: parse options, call one service, hand the result to output."""
