"""Writes Portal.Engine/Text/Cleaning/html5-entities.json from Python's html.entities.html5 (the WHATWG named
character references that html.unescape uses), so the tokenizer's clean-up matches open_clip's html.unescape exactly.
Run: python3 tools/gen_html5_entities.py > Portal.Engine/Text/Cleaning/html5-entities.json"""
import html.entities
import json
import sys

table = html.entities.html5
sys.stdout.write(json.dumps({name: table[name] for name in sorted(table)}, ensure_ascii=True, indent=0) + "\n")
