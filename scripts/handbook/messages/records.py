"""What the record commands print: `validate`, `ingest` (single and `--batch`), `withdraw`, `close`, `report`
and `sample` — their verdicts, outcomes and refused arguments.
"""

from .base import HandbookError


# ---------------------------------------------------------------- --form of validate and ingest
class RecordUnknownForm(HandbookError):
    code = "unknown-record-form"
    title = "没有这张记录表"
    template = "没有编号为“{form}”的记录表。可选：{choices}。"


class RecordNotRecordForm(HandbookError):
    code = "not-a-record-form"
    title = "不是逐行填报的记录表"
    template = "“{form}”（{title}）不是每月填报统计的记录表，不能校验或入库。可选：{choices}。"


# ---------------------------------------------------------------- validate
class RecordValid(HandbookError):
    code = "valid"
    title = "校验通过"
    template = "校验通过：{title}，共 {rows} 行记录。"


class RecordInvalid(HandbookError):
    code = "invalid"
    title = "校验未通过"
    template = "校验未通过：{title}发现 {count} 处问题。请按下面的说明改正后重新提交："


class RecordNormalized(HandbookError):
    code = "normalized"
    title = "自动规范"
    template = "已自动规范以下写法（不改变内容）："


class RecordMoreErrors(HandbookError):
    code = "more-errors"
    title = "更多问题"
    template = "……另有 {count} 处问题未显示，请加 --json 查看全部。"


# ---------------------------------------------------------------- ingest
class IngestUsage(HandbookError):
    code = "ingest-usage"
    title = "参数不全"
    template = "参数不全：请写明文件、--form、--site 和 --month，如 handbook ingest 投诉.csv --form complaint-log --site 东湖花园管理处 --month 2026-11。"


class IngestUploaderDefault(HandbookError):
    code = "uploader-default"
    title = "上传人"
    template = "上传人记为“{user}”（本机登录名）；要记为填表人，请加 --user 姓名。"


class IngestStored(HandbookError):
    code = "stored"
    title = "已入库"
    template = "已入库：{site} {month} {title}，{rows} 行记录（文件校验码 {sha}）。"


class IngestSuperseded(HandbookError):
    code = "superseded"
    title = "已更正"
    template = "已入库（更正版）：{site} {month} {title}，{rows} 行记录；此前 {previous} 上传的版本保留在历史记录中。"


class IngestUnchanged(HandbookError):
    code = "unchanged"
    title = "内容相同"
    template = "内容与已入库的版本相同，未作改动：{site} {month} {title}。"


class IngestRejected(HandbookError):
    code = "rejected"
    title = "未入库"
    template = "未入库：文件有问题，改正后重新提交。"


# ---------------------------------------------------------------- ingest --batch
class BadBatch(HandbookError):
    code = "bad-batch"
    title = "批量清单有误"
    template = "批量清单 {path} 无法读取：应为 handbook sample --json 输出的 JSON 列表（每项含 form、site、month、path）。"


class BatchProgress(HandbookError):
    code = "batch-progress"
    title = "批量入库进度"
    template = "入库 {done}/{total}（{percent}%），已用 {seconds} 秒"


class BatchDone(HandbookError):
    code = "batch-done"
    title = "批量入库完成"
    template = "批量入库完成：{total} 个文件中 {stored} 个已入库或内容未变，数据目录 {path}。"


# ---------------------------------------------------------------- withdraw and close
class WithdrawDone(HandbookError):
    code = "withdrawn"
    title = "已撤回"
    template = "已撤回：{site} {month} “{title}”（{rows} 行，{at} 上传）。该月不再计入统计，原文件和历史仍保留，可重新上传。"


class WithdrawNothing(HandbookError):
    code = "withdraw-nothing"
    title = "没有可撤回的文件"
    template = "{site} {month} 没有已入库的“{title}”，无需撤回。"


class MonthClosedDone(HandbookError):
    code = "month-closed-done"
    title = "已关账"
    template = "{month} 已关账：月度统计按现有报送定稿，之后的上传和撤回一律拒收，直到重新开账。"


class MonthReopened(HandbookError):
    code = "month-reopened"
    title = "已重新开账"
    template = "{month} 已重新开账，可以继续上传更正。"


class MonthAlreadyInState(HandbookError):
    code = "month-unchanged"
    title = "无需改动"
    template = "{month} 本来就{state}，未作改动。"


# ---------------------------------------------------------------- report and sample
class ReportNoData(HandbookError):
    code = "no-data"
    title = "还没有数据"
    template = "数据目录 {path} 中还没有 {month} 的记录。请先用 handbook ingest 入库。"


class SampleBadArgs(HandbookError):
    code = "sample-bad-args"
    title = "参数有误"
    template = "参数有误：--months 应为 1—120，--sites 应为 1—1000。"


class SampleWritten(HandbookError):
    code = "sample-written"
    title = "已生成示例数据"
    template = "已生成示例数据：{files} 个文件（{forms} 种记录表 × {sites} 个管理处 × {months} 个月），在 {out}。"
