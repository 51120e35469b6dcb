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


def test_groups_implied_by_another_are_dropped():
    from search.text import without_implied

    # "pédicure podologue": (pedicure | podologue) & podologue is just podologue.
    assert without_implied([[["pedicure"], ["podologue"]], [["podologue"]]]) == [[["podologue"]]]
    assert without_implied([[["sage", "femme"], ["sage", "femme"]]]) == [[["sage", "femme"]]]
    assert without_implied([[["kine"]], [["kine"]]]) == [[["kine"]]]
    names = [[["helene"]], [["lefevre"]]]
    assert without_implied(names) == names
