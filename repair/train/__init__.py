"""Training the built-in post-editing model: corpus readers, noise model, Apertium round
trips, pair building, tokenizer and training loop. ``python -m repair.train`` and
``repair train`` run :func:`repair.train.loop.train`.

Nothing here runs at repair time; ``repair.postedit`` only loads what training wrote.
"""
