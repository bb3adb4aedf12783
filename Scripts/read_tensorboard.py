#!/usr/bin/env python3
"""Reads a TensorBoard log folder with TensorBoard's own reader and prints its scalars as JSON:
{tag: [[step, value], ...]}. The test of `doodle train --tensorboard` compares them with the run's log.

    read_tensorboard.py DIR        (needs `pip install tensorboard`)
"""
import json
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

accumulator = EventAccumulator(sys.argv[1], size_guidance={"scalars": 0})
accumulator.Reload()
print(json.dumps({tag: [[event.step, event.value] for event in accumulator.Scalars(tag)]
                  for tag in accumulator.Tags()["scalars"]}))
