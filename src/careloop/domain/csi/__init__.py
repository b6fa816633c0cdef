"""The customer satisfaction index (用户满意度指数, DOMAIN.md §6): PLS path models of a
survey, their quality, bootstrap errors and the 0–100 index with its grade.

Pure computation (numpy and scipy); the documentation is docs/csi-engine.md.
"""
