"""The record store and what it accepts: the 管理处 registry (sites.yml), which months can be reported and
whether a month is closed, a file's dates against its month, a confirm overtaken by a newer upload, and a store
that is corrupt, unwritable, busy or migrated.
"""

from .base import HandbookError


# ---------------------------------------------------------------- the 管理处 registry (sites.yml)
class RegistryInvalid(HandbookError):
    code = "registry-invalid"
    title = "管理处名单有误"
    template = "管理处名单 {path} 有误：{detail}。"


class SiteUnknown(HandbookError):
    code = "site-unknown"
    title = "没有这个管理处"
    template = "没有名为“{value}”的管理处。{hint}已登记的管理处：{known}。新的管理处请由管理员加进名单（{path}）。"


class SiteSuggestion(HandbookError):
    code = "site-suggestion"
    title = "相近的管理处"
    template = "是不是“{name}”？"


# ---------------------------------------------------------------- months: reportable, matching the file, closed
class BadMonth(HandbookError):
    code = "bad-month"
    title = "月份格式不对"
    template = "月份“{value}”格式不对，请写成“年-月”，如 2026-11。"


class MonthOutOfRange(HandbookError):
    code = "month-out-of-range"
    title = "月份不在可报送范围内"
    template = "月份“{value}”不在可报送的范围内：只能报送 {first} 至 {last} 的记录。请检查年份和月份。"


class MonthMismatch(HandbookError):
    code = "month-mismatch"
    title = "月份与内容不符"
    template = "这个文件里没有一个日期在{month}：日期都在 {found}。是不是选错了月份，或选错了文件？请改选正确的月份后重新上传。"


class MonthClosed(HandbookError):
    code = "month-closed"
    title = "本月已关账"
    template = "{month} 已于 {at} 由 {user} 关账，不再接收或撤回记录。确需更正的，请联系管理员重新开账。"


# ---------------------------------------------------------------- the store itself
class StaleUpload(HandbookError):
    code = "stale-upload"
    title = "已有更新的版本"
    template = "{site} {month} 的“{title}”在您确认之前已有新的版本（{at} 由 {user} 上传），本次未替换。请先查看最新版本，需要时重新上传。"


class StoreCorrupt(HandbookError):
    code = "store-corrupt"
    title = "数据目录已损坏"
    template = "数据目录 {path} 的清单文件无法读取（{detail}）。请联系管理员从备份恢复，不要手工修改。"


class StoreUnwritable(HandbookError):
    code = "store-unwritable"
    title = "数据目录无法写入"
    template = "无法写入数据目录 {path}：{detail}。原有数据未受影响。"


class MigrationDone(HandbookError):
    code = "store-migrated"
    title = "记录库已升级"
    template = "记录库已升级为数据库格式：迁入 {uploads} 个文件版本、{audit} 条审计记录；原清单改名为 {backup} 保留。"
