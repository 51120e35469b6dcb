from search.text import expand, fold, framed, tokens


def test_fold():
    assert fold("Hélène LEFÈVRE") == "helene lefevre"
    assert fold("Sœur Cœur-Æther") == "soeur coeur aether"
    assert fold("L'Hôpital-Saint-Blaise") == "l hopital saint blaise"
    assert framed("Kiné") == " kine "
    assert tokens("  Saint-Jean-de-Védas ") == ["saint", "jean", "de", "vedas"]


def test_expand_longest_abbreviation_first():
    synonyms = {"sage femme": ["sage femme"], "kine": ["kinesitherapeute"], "mg": ["medecine generale"]}
    assert expand(["kine", "lunel"], synonyms) == [[["kine"], ["kinesitherapeute"]], [["lunel"]]]
    assert expand(["sage", "femme"], synonyms) == [[["sage", "femme"], ["sage", "femme"]]]
    assert expand(["mg"], synonyms) == [[["mg"], ["medecine", "generale"]]]
