"""Register pages (French): the CPTS's register (managers act on it, members read it), a line's history and
actions, the exports, and "Mes adhésions" (a professional's own memberships, the join request, resignation)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from federation.errors import show_service_error
from federation.selectors import user_memberships
from missions.projet.access import (
    access_own_adhesion,
    access_projet_cpts,
    access_register_member,
    can_manage,
    join_target_cpts,
)
from missions.projet.forms import (
    AcceptForm,
    AddMemberForm,
    CategoryForm,
    ConsentRecordForm,
    ExcludeForm,
    JoinForm,
    NewCategoryForm,
    ResignForm,
    SelfResignForm,
)
from missions.projet.models import MemberStatus
from missions.projet.register import exports, selectors, services


def _categories(cpts):
    services.categories_ensure_defaults(cpts=cpts)
    return list(selectors.member_categories(cpts))


def _category(categories, code):
    return next((c for c in categories if c.code == code), None)


@login_required
def register_page(request, cpts_slug):
    cpts = access_projet_cpts(request.user, cpts_slug)
    manager = can_manage(request.user, cpts)
    categories = _categories(cpts) if manager else list(selectors.member_categories(cpts))
    add_form = AddMemberForm(categories=categories)
    category_form = NewCategoryForm()
    if request.method == "POST" and request.POST.get("action") == "category":
        cpts = access_projet_cpts(request.user, cpts_slug, for_write=True)
        category_form = NewCategoryForm(request.POST)
        if category_form.is_valid():
            try:
                services.category_create(actor=request.user, cpts=cpts, **category_form.cleaned_data)
            except ValidationError as exc:
                show_service_error(request, exc, form=category_form)
            else:
                messages.success(request, _("Catégorie ajoutée."))
                return redirect("projet-register", cpts_slug=cpts.slug)
    elif request.method == "POST":
        cpts = access_projet_cpts(request.user, cpts_slug, for_write=True)
        add_form = AddMemberForm(request.POST, categories=categories)
        if add_form.is_valid():
            v = add_form.cleaned_data
            pro = structure = None
            if v["kind"] == "professional":
                pro = selectors.find_professional(v["identifier"])
            else:
                structure = selectors.find_structure(v["identifier"])
            if pro is None and structure is None:
                add_form.add_error("identifier", _("Aucune fiche de l'annuaire ne porte cet identifiant."))
            else:
                try:
                    member = services.member_add(
                        actor=request.user,
                        cpts=cpts,
                        professional=pro,
                        structure=structure,
                        category=_category(categories, v["category"]),
                        representative=v["representative"],
                    )
                except ValidationError as exc:
                    show_service_error(request, exc, form=add_form)
                else:
                    messages.success(
                        request,
                        _("%(name)s est ajouté·e, en attente de son consentement.") % {"name": member.name},
                    )
                    return redirect("projet-register", cpts_slug=cpts.slug)
    members = list(selectors.register_members(cpts))
    return render(
        request,
        "projet/register.html",
        {
            "cpts": cpts,
            "can_manage": manager,
            "stats": selectors.register_stats(cpts),
            "requests": [m for m in members if m.status == MemberStatus.REQUESTED],
            "awaiting": [m for m in members if m.status == MemberStatus.AWAITING_CONSENT],
            "members": [m for m in members if m.status == MemberStatus.ACTIVE],
            "former": [m for m in members if m.status in (MemberStatus.RESIGNED, MemberStatus.EXCLUDED)],
            "categories": categories,
            "add_form": add_form,
            "category_form": category_form,
        },
    )


@login_required
def member_page(request, cpts_slug, member_id):
    cpts = access_projet_cpts(request.user, cpts_slug)
    member = access_register_member(request.user, cpts, member_id)
    manager = can_manage(request.user, cpts)
    categories = _categories(cpts) if manager else []
    forms = {
        "accept": AcceptForm(categories=categories, initial={"category": member.category.code}),
        "category": CategoryForm(categories=categories, initial={"category": member.category.code}),
        "record-consent": ConsentRecordForm(),
        "resign": ResignForm(),
        "exclude": ExcludeForm(),
    }
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in {*forms, "refuse"}:
            raise Http404
        cpts = access_projet_cpts(request.user, cpts_slug, for_write=True)
        member = access_register_member(request.user, cpts, member_id, for_write=True)
        form = None
        if action in forms:
            form_class = type(forms[action])
            kwargs = {"categories": categories} if action in ("accept", "category") else {}
            form = form_class(request.POST, **kwargs)
            forms[action] = form
        if form is None or form.is_valid():
            v = form.cleaned_data if form else {}
            try:
                if action == "accept":
                    services.member_accept(
                        actor=request.user, member=member, category=_category(categories, v["category"])
                    )
                elif action == "refuse":
                    services.member_refuse(
                        actor=request.user, member=member, reason=request.POST.get("reason", "")[:500]
                    )
                elif action == "category":
                    services.member_set_category(
                        actor=request.user, member=member, category=_category(categories, v["category"])
                    )
                elif action == "record-consent":
                    services.member_consent_record(
                        actor=request.user,
                        member=member,
                        evidence=v["evidence"],
                        consented_on=v["consented_on"],
                    )
                elif action == "resign":
                    services.member_resign(actor=request.user, member=member, on=v["on"], note=v["note"])
                else:
                    v.pop("confirm")
                    services.member_exclude(actor=request.user, member=member, **v)
            except ValidationError as exc:
                show_service_error(request, exc, form=form)
            else:
                messages.success(request, _("Registre mis à jour."))
                return redirect("projet-register-member", cpts_slug=cpts.slug, member_id=member.pk)
    return render(
        request,
        "projet/member.html",
        {
            "cpts": cpts,
            "member": member,
            "history": selectors.member_history(member),
            "can_manage": manager,
            "forms": forms,
            "record_consent_form": forms["record-consent"],
        },
    )


@login_required
def register_export(request, cpts_slug, fmt):
    return exports.register_response(access_projet_cpts(request.user, cpts_slug), fmt)


@login_required
def my_adhesions(request):
    join_form = JoinForm(cpts_choices=[(c.slug, c.name) for c in selectors.joinable_cpts(request.user)])
    if request.method == "POST":
        join_form = JoinForm(
            request.POST, cpts_choices=[(c.slug, c.name) for c in selectors.joinable_cpts(request.user)]
        )
        if join_form.is_valid():
            cpts = join_target_cpts(join_form.cleaned_data["cpts"])
            try:
                services.member_request(
                    actor=request.user, cpts=cpts, message=join_form.cleaned_data["message"]
                )
            except ValidationError as exc:
                show_service_error(request, exc, form=join_form)
            else:
                messages.success(
                    request,
                    _("Votre demande d'adhésion à %(cpts)s est envoyée à sa coordination.")
                    % {"cpts": cpts.name},
                )
                return redirect("projet-my-adhesions")
    return render(
        request,
        "projet/my_adhesions.html",
        {
            "adhesions": selectors.user_adhesions(request.user),
            "spaces": user_memberships(request.user),
            "professional": selectors.user_professional(request.user),
            "join_form": join_form,
            "resign_form": SelfResignForm(),
        },
    )


@login_required
@require_POST
def my_adhesion_action(request, member_id):
    member = access_own_adhesion(request.user, member_id)
    action = request.POST.get("action")
    try:
        if action in ("consent", "decline"):
            services.member_consent(actor=request.user, member=member, accept=action == "consent")
        elif action == "resign":
            form = SelfResignForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Cochez la case pour confirmer votre démission."))
                return redirect("projet-my-adhesions")
            services.member_resign(actor=request.user, member=member, note=_("Démission en ligne."))
        else:
            raise Http404
    except ValidationError as exc:
        show_service_error(request, exc)
    else:
        messages.success(request, _("C'est enregistré."))
    return redirect("projet-my-adhesions")
