from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.http import HttpResponse, HttpResponseNotAllowed

from .models import Label


def tag(number):
    label = settings.LABEL
    return f"{label['prefix']}{number:0{label['padding']}d}"


def index(request):
    label = settings.LABEL
    printed = Label.objects.count()
    return HttpResponse(
        f"Request Tracker Utils\n"
        f"next tag: {tag(printed + 1)}\n"
        f"label: {label['widthMm']}x{label['heightMm']} mm\n"
        f"RT: {settings.RT['url']}{settings.RT['api_endpoint']}\n"
        f"labels printed: {printed}\n",
        content_type="text/plain; charset=utf-8",
    )


def next_label(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    with transaction.atomic():
        number = (Label.objects.aggregate(n=Max("number"))["n"] or 0) + 1
        Label.objects.create(number=number)
    return HttpResponse(f"{tag(number)}\n", content_type="text/plain; charset=utf-8")


def healthz(request):
    Label.objects.exists()
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
