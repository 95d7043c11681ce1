"""Lesson time: what a notebook cell calls (sh, waits, docker, kubectl, terminal, checks).

Nothing here imports `labkit._setup` when it is imported: a lesson call that needs a set-up
step (a chapter reset that recreates the course registry) imports it when it runs.
"""
