"""Organisation settings (company name, roles, categories): organisation.yml."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .messages import OrganisationInvalid, Problem, ProblemsFound


class Organisation(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    company: str = Field(min_length=1)
    short_name: str = Field(min_length=1)
    handbook_title: str = Field(min_length=1)
    site_title: str = Field(min_length=1)
    categories: list[str] = Field(min_length=1)
    roles: list[str] = Field(min_length=1)


def load_organisation(path: Path) -> Organisation:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Organisation.model_validate(data)
    except OSError as exc:
        detail = f"找不到或无法读取 {path}（{exc.strerror}）"
    except yaml.YAMLError as exc:
        detail = f"YAML 语法错误：{exc}"
    except ValidationError as exc:
        detail = "；".join(
            f"{'.'.join(map(str, e['loc'])) or '文件'}：{'缺少' if e['type'] == 'missing' else '取值不合法'}"
            for e in exc.errors()
        )
    raise ProblemsFound([Problem(OrganisationInvalid, path, None, {"detail": detail})])
