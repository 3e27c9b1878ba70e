//! `omnisim explain`: one conversation's or one agent's story, told from `trace.jsonl`.
