"""Job kinds of the tests: a file, a link, a refusal, an unexpected failure, a failure then a success."""

from jobs.registry import FileResult, JobFailed, LinkResult, register

attempts = {"flaky": 0}


@register("tests.echo")
def echo(user, progress, text: str):
    progress("半程", 50)
    return FileResult("echo.txt", content=f"{user.pk}:{text}".encode())


@register("tests.link")
def link(user, progress):
    return LinkResult("/notifications/", "通知")


@register("tests.refused")
def refused(user, progress):
    raise JobFailed("你已无权导出。")


@register("tests.broken")
def broken(user, progress):
    progress("计算中", 30)
    raise RuntimeError("secret internal detail /srv/gongzhi/db")


@register("tests.flaky")
def flaky(user, progress):
    attempts["flaky"] += 1
    if attempts["flaky"] == 1:
        raise RuntimeError("first attempt fails")
    return FileResult("ok.txt", content=b"ok")
