"""Build, on Linux, the offline install of plan57 for Windows: one zip (SPEC §9).

    python tools/windows_zip.py [--out DIR] [--cache DIR]

The zip holds one folder, `plan57-VERSION/`:
- `goi/`: the plan57 wheel and every dependency's wheel for Windows x64 and CPython 3.11, 3.12 and
  3.13 (`pip download --only-binary=:all: --platform win_amd64 --python-version 3.1x`), the
  dependencies read from pyproject.toml, never listed here;
- `cai-dat.bat`: double-clicked once, it makes a virtual environment beside itself
  (`moi-truong/`) with the Python from python.org (3.13, 3.12 or 3.11, through the `py`
  launcher) and installs plan57 into it from `goi/` alone (`--no-index --find-links`): no
  connection and no administrator rights needed, nothing written outside the folder;
- `plan57.bat`: runs plan57 from that environment in UTF-8 (`chcp 65001`, PYTHONUTF8=1);
  double-clicked, it opens a console where `plan57 …` can be typed;
- `HUONG-DAN.txt`: the same in a few lines, for the person who unzips it.

Downloads are kept in a cache folder (default ~/.cache/plan57-windows-wheels) so that a second
build reads them from disk. This script is for the repository's maintainers: it is not part of
the package.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import urllib.parse
import zipfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PYTHONS = ("3.11", "3.12", "3.13")
PLATFORM = "win_amd64"
WHEELS = "goi"  # the folder of wheels inside the zip
ENV = "moi-truong"  # the virtual environment cai-dat.bat makes
# the markers of a requirement as they read on Windows x64 with CPython (python_version added)
WINDOWS = {
    "os_name": "nt",
    "sys_platform": "win32",
    "platform_system": "Windows",
    "platform_machine": "AMD64",
    "platform_release": "10",
    "platform_version": "10.0.19045",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
}
DEFAULT_CACHE = Path.home() / ".cache" / "plan57-windows-wheels"
# what pip says when it cannot reach the package index (the build cannot be made here, now)
UNREACHABLE = (
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Name or service not known",
    "Network is unreachable",
    "Connection refused",
    "Read timed out",
    "ConnectTimeoutError",
    "ProxyError",
    "SSLError",
)


class Unreachable(RuntimeError):
    """The package index cannot be reached: no wheels can be downloaded."""


def project() -> dict[str, object]:
    with open(REPO / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)["project"]  # type: ignore[no-any-return]


def dependencies() -> list[str]:
    """plan57's own requirements, as pyproject.toml lists them."""
    return [str(d) for d in project().get("dependencies", [])]  # type: ignore[attr-defined]


def _pip(*args: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        said = proc.stdout + proc.stderr
        if any(word in said for word in UNREACHABLE):
            raise Unreachable(said.strip().splitlines()[-1] if said.strip() else "pip failed")
        raise RuntimeError(f"pip {' '.join(args[:2])} failed:\n{said}")


def build_wheel(into: Path) -> Path:
    """The plan57 wheel, built from this checkout."""
    into.mkdir(parents=True, exist_ok=True)
    for old in into.glob("plan57-*.whl"):
        old.unlink()
    _pip("wheel", "--no-deps", "--quiet", "-w", str(into), str(REPO))
    (wheel,) = into.glob("plan57-*.whl")
    return wheel


def download(cache: Path, requirements: list[str], pythons: tuple[str, ...] | list[str] = PYTHONS) -> None:
    """Every dependency's wheel for Windows x64, for each CPython, into `cache` (kept there)."""
    cache.mkdir(parents=True, exist_ok=True)
    for version in pythons:
        _pip(
            "download",
            "--quiet",
            "--only-binary=:all:",
            "--platform",
            PLATFORM,
            "--python-version",
            version,
            "--implementation",
            "cp",
            "-d",
            str(cache),
            *requirements,
        )


def isolated_env() -> dict[str, str]:
    """pip's environment without this machine's own pip settings (indexes, find-links): what is
    resolved is resolved from the folder given alone."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    return env


def resolve(folder: Path, version: str, wanted: list[str]) -> dict[str, str]:
    """The files pip installs `wanted` with on Windows x64 for CPython `version`, from `folder`
    alone (no index), by project name; RuntimeError when it cannot."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        argv = [sys.executable, "-m", "pip", "--disable-pip-version-check", "install", "--dry-run", "--quiet"]
        argv += ["--no-index", "--find-links", str(folder), "--platform", PLATFORM, "--python-version", version]
        argv += ["--implementation", "cp", "--only-binary=:all:", "--target", str(Path(tmp) / "t")]
        argv += ["--report", str(report), *wanted]
        proc = subprocess.run(argv, capture_output=True, text=True, env=isolated_env())
        if proc.returncode != 0:
            raise RuntimeError(f"pip cannot install plan57 for Python {version} from {folder}:\n{proc.stderr}")
        installed = json.loads(report.read_text(encoding="utf-8"))["install"]
    return {
        _canonical(item["metadata"]["name"]): Path(urllib.parse.urlparse(item["download_info"]["url"]).path).name
        for item in installed
    }


def _canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _packaging() -> Any:
    try:
        import packaging.requirements

        return packaging.requirements
    except ImportError:  # pip's own copy
        from pip._vendor.packaging import requirements

        return requirements


def windows_only(folder: Path, files: dict[str, str], version: str) -> list[str]:
    """What the resolved wheels require on Windows alone (`colorama; platform_system == "Windows"`):
    pip judges such markers by the machine it runs on, even with --platform, so on Linux it leaves
    them out; here they are judged as on Windows x64 with CPython `version`."""
    requirements = _packaging()
    full = f"{version}.0"
    env = dict(WINDOWS, python_version=version, python_full_version=full, implementation_version=full, extra="")
    more = []
    for file in files.values():
        with zipfile.ZipFile(folder / file) as whl:
            meta = next(n for n in whl.namelist() if n.endswith(".dist-info/METADATA"))
            lines = whl.read(meta).decode("utf-8").splitlines()
        for line in lines:
            if not line.startswith("Requires-Dist:"):
                continue
            req = requirements.Requirement(line.partition(":")[2].strip())
            if req.marker is None or _canonical(req.name) in files or not req.marker.evaluate(env):
                continue
            more.append(f"{req.name}{req.specifier}")
    return sorted(set(more))


def _bat(text: str) -> bytes:
    """A batch file: CRLF line ends (cmd.exe misreads labels without them), UTF-8 after chcp 65001."""
    return text.strip("\n").replace("\n", "\r\n").encode("utf-8") + b"\r\n"


CAI_DAT = rf"""
@echo off
chcp 65001 >nul
setlocal
rem Cài plan57 vào thư mục này, từ các gói trong {WHEELS}\: không cần mạng, không cần quyền quản trị.
set "HERE=%~dp0"
set "PY="
for %%V in ({" ".join(reversed(PYTHONS))}) do call :try_py %%V
if not defined PY call :try_python
if not defined PY goto no_python
echo Đang cài plan57 (Python %PYVER%), không cần kết nối mạng...
if exist "%HERE%{ENV}" rmdir /s /q "%HERE%{ENV}"
%PY% -m venv "%HERE%{ENV}"
if errorlevel 1 goto failed
"%HERE%{ENV}\Scripts\python.exe" -m pip install --no-index --find-links "%HERE%{WHEELS}" --disable-pip-version-check --quiet plan57
if errorlevel 1 goto failed
echo.
echo Đã cài xong plan57. Nhấp đúp vào plan57.bat để mở cửa sổ lệnh, rồi gõ chẳng hạn:
echo     plan57 validate
echo     plan57 report -o tonghop.docx
echo.
pause
exit /b 0

:try_py
if defined PY exit /b 0
py -%1 -c "pass" >nul 2>nul
if errorlevel 1 exit /b 0
set "PY=py -%1"
set "PYVER=%1"
exit /b 0

:try_python
python -c "import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] <= (3, 13) else 1)" >nul 2>nul
if errorlevel 1 exit /b 0
set "PY=python"
set "PYVER=3"
exit /b 0

:no_python
echo Không tìm thấy Python 3.11, 3.12 hoặc 3.13 trên máy này.
echo Hãy cài Python từ https://www.python.org/downloads/windows/ (bản "Windows installer (64-bit)",
echo chọn "Install for me only" nếu không có quyền quản trị), rồi nhấp đúp lại vào cai-dat.bat.
echo.
pause
exit /b 1

:failed
echo.
echo Cài đặt không thành công: xem thông báo ở trên. Thư mục này cần được giải nén ra trước
echo (không chạy trực tiếp trong tệp .zip) và phải ghi được.
echo.
pause
exit /b 1
"""

PLAN57_BAT = rf"""
@echo off
chcp 65001 >nul
setlocal
rem plan57 chạy từ thư mục này, chữ Việt dạng UTF-8.
set "PYTHONUTF8=1"
set "HERE=%~dp0"
if not exist "%HERE%{ENV}\Scripts\plan57.exe" goto not_installed
if "%~1"=="" goto console
"%HERE%{ENV}\Scripts\plan57.exe" %*
exit /b %errorlevel%

:console
rem nhấp đúp: một cửa sổ lệnh ở thư mục này, trong đó gõ được plan57 ...
set "PATH=%HERE%{ENV}\Scripts;%PATH%"
cmd /k plan57 --help
exit /b 0

:not_installed
echo plan57 chưa được cài: hãy nhấp đúp vào cai-dat.bat trước.
pause
exit /b 2
"""

HUONG_DAN = """
plan57 cho Windows — cài đặt không cần mạng

1. Cài Python 3.11, 3.12 hoặc 3.13 từ https://www.python.org/downloads/windows/
   ("Windows installer (64-bit)"; không có quyền quản trị thì chọn "Install for me only").
2. Giải nén tệp .zip này ra một thư mục của mình (ví dụ Tài liệu\\plan57).
3. Nhấp đúp vào cai-dat.bat: plan57 được cài vào thư mục con moi-truong, từ các gói trong
   thư mục goi, không cần kết nối mạng và không cần quyền quản trị.
4. Nhấp đúp vào plan57.bat để mở cửa sổ lệnh, rồi gõ chẳng hạn:
       plan57 validate
       plan57 report -o tonghop.docx
   Hoặc chạy từ một cửa sổ lệnh khác: plan57.bat report -o tonghop.docx

Gỡ cài đặt: xóa thư mục này (plan57 không ghi gì vào Windows ngoài bộ nhớ đệm của nó trong
%LOCALAPPDATA%\\plan57).
"""


def build(out: Path, cache: Path = DEFAULT_CACHE) -> Path:
    """The zip, in `out`; its path."""
    version = str(project()["version"])
    name = f"plan57-{version}"
    with tempfile.TemporaryDirectory() as tmp:
        wheel = build_wheel(Path(tmp) / "dist")
        download(cache, dependencies())
        out.mkdir(parents=True, exist_ok=True)
        target = out / f"{name}-windows-x64.zip"
        partial = target.with_suffix(".zip.part")
        shutil.copy2(wheel, cache / wheel.name)
        files: set[str] = set()
        try:  # exactly the files pip picks for each Python, not every version the cache has seen
            for version in PYTHONS:
                wanted = [str(cache / wheel.name)]
                while True:
                    found = resolve(cache, version, wanted)
                    more = [r for r in windows_only(cache, found, version) if r not in wanted]
                    if not more:
                        break
                    download(cache, more, [version])
                    wanted += more
                files |= set(found.values())
        finally:
            (cache / wheel.name).unlink()
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
            for file in files:
                zf.write(wheel if file == wheel.name else cache / file, f"{name}/{WHEELS}/{file}")
            zf.writestr(f"{name}/cai-dat.bat", _bat(CAI_DAT))
            zf.writestr(f"{name}/plan57.bat", _bat(PLAN57_BAT))
            zf.writestr(f"{name}/HUONG-DAN.txt", "\ufeff" + HUONG_DAN.strip("\n").replace("\n", "\r\n") + "\r\n")
        partial.replace(target)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "dist", help="where the zip goes (default: dist/)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where downloaded wheels are kept")
    args = parser.parse_args()
    try:
        print(build(args.out, args.cache))
    except Unreachable as exc:
        print(f"windows_zip: the package index cannot be reached: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
