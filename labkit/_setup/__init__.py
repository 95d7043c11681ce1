"""Set-up time: install and start the engine, build tools and images, create the cluster.

`labkit up`, `down` and `doctor` (`commands`) and the ``labkit`` command (`cli`) live here.
"""
