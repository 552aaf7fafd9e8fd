"""The user's model and data as a world source (``explainspec audit``).

A spec names a bound model and table (``function = user_model("gbr")``, ``data =
table("diabetes")``); the caller binds the names (:mod:`.bindings`), never the spec. This package
loads and checks models (:mod:`.models`: skops, pickle only when trusted, estimators, pipelines,
callables, classifiers on a chosen output scale) and tables (:mod:`.tables`: CSV and Parquet via
pandas), aligns them, and builds fixed worlds and their metamorphic variants (:mod:`.world`,
:mod:`.functions`). Submodules are imported on use; :mod:`.errors` imports no numpy.
"""
