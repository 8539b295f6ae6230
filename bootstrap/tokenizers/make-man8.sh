#!/usr/bin/env bash
# Rebuilds man8-4096.tiktoken: a 4,096-token byte-level BPE for the eight languages of the multilingual experiments
# (en de fr es it pt id ja), learned from Debian's manual pages in those languages, which are public and share no
# text with the Debian Reference the nodes train and are scored on. Needs the packages manpages, manpages-de,
# manpages-fr, manpages-es, manpages-it, manpages-pt-br, manpages-id and manpages-ja (not installed by setup.sh:
# the rank file is in the repository; this script only documents and repeats how it was made).
# Usage: bootstrap/tokenizers/make-man8.sh [OUT]   (default: bootstrap/tokenizers/man8-4096.tiktoken)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-bootstrap/tokenizers/man8-4096.tiktoken}
work=$(mktemp -d /tmp/p2pnode-man8.XXXXXX)
for l in en de fr es it pt_BR id ja; do
  d=/usr/share/man/$l; [ "$l" = en ] && d=/usr/share/man
  # The first 400 pages of sections 1, 5 and 8 in path order, troff comments dropped, about 600 kB per language
  # (Indonesian has fewer pages), cut at a line end and kept only where it is valid UTF-8.
  find "$d/man1" "$d/man5" "$d/man8" -maxdepth 1 -name '*.gz' 2>/dev/null | sort | head -400 | xargs zcat 2>/dev/null \
    | grep -v '^\.\\"' | head -c 600000 \
    | /usr/bin/python3 -c 'import sys; b=sys.stdin.buffer.read(); b=b[:b.rfind(b"\n")+1]; sys.stdout.write(b.decode("utf-8","ignore"))' \
    > "$work/$l.txt"
done
dotnet src/P2PNode/bin/Release/net10.0/p2pnode.dll tokenizer train --vocab 4096 --out "$out" \
  "$work"/en.txt "$work"/de.txt "$work"/fr.txt "$work"/es.txt "$work"/it.txt "$work"/pt_BR.txt "$work"/id.txt "$work"/ja.txt
rm -rf "$work"
