import json, os
HERE = os.path.dirname(os.path.abspath(__file__))
def pad(c): return None if c is None else c + "0" * (12 - len(c))
class Doc:
    def __init__(self, id, county, text):
        self.id, self.county, self.text = id, county, text.strip("\n")
        self.ents, self.rels = [], []
    def P(self, t, code=None, parent=None, aliases=()):
        self.ents.append(dict(text=t, type="Place", aliases=list(aliases), code=pad(code), parent=parent))
    def _e(self, typ, t, aliases=()):
        self.ents.append(dict(text=t, type=typ, aliases=list(aliases), code=None, parent=None))
    def Per(self, t, aliases=()): self._e("Person", t, aliases)
    def Org(self, t, aliases=()): self._e("Organization", t, aliases)
    def Prog(self, t, aliases=()): self._e("Programme", t, aliases)
    def R(self, s, p, o, ev, post=None):
        self.rels.append(dict(s=s, p=p, o=o, post=post, evidence=ev))
    def loc(self, s, o, ev=None): self.R(s, "locatedIn", o, ev or s)
    def cip(self, s, o, ev): self.R(s, "containedInPlace", o, ev)
    def hp(self, s, o, post, ev): self.R(s, "holdsPost", o, ev, post)
    def imp(self, s, o, ev): self.R(s, "implements", o, ev)
    def part(self, s, o, ev): self.R(s, "partOfProgramme", o, ev)
    def iss(self, s, o, ev): self.R(s, "issuedBy", o, ev)
    def au(self, s, ev): self.R(s, "author", "ARTICLE", ev)
    def ed(self, s, ev): self.R(s, "editor", "ARTICLE", ev)
    def save(self):
        order = {"Place": 0, "Person": 1, "Organization": 2, "Programme": 3}
        ents = sorted(self.ents, key=lambda e: order[e["type"]])
        d = dict(id=self.id, county=self.county, text=self.text, entities=ents, relations=self.rels)
        with open(os.path.join(HERE, self.id + ".json"), "w", encoding="utf-8") as f:
            json.dump(d, f, ensure_ascii=False, indent=2)
            f.write("\n")
