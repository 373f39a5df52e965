"""One catalogue of the Chinese messages users see, keyed by error code.

Like frictionless' error classes: each problem kind is a small declarative
class with a code, a title and a message template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class HandbookError:
    code = "handbook-error"
    title = "错误"
    template = "{detail}"

    @classmethod
    def render(cls, **params) -> str:
        """The one way a message is written: its template with the parameters it names."""
        return cls.template.format(**params)


class YamlSyntax(HandbookError):
    code = "yaml-syntax"
    title = "YAML 语法错误"
    template = "YAML 语法错误：{detail}。请检查缩进、冒号和引号。"


class NotAMapping(HandbookError):
    code = "not-a-mapping"
    title = "文件内容不是字段表"
    template = "文件最外层应是“字段: 值”的形式，现在是{actual}。"


class MissingField(HandbookError):
    code = "missing-field"
    title = "缺少字段"
    template = "缺少必填字段“{field}”，请补上。"


class UnknownField(HandbookError):
    code = "unknown-field"
    title = "未知字段"
    template = "不认识的字段“{field}”，请检查拼写（可用字段见 procedures/README.md）。"


class BadValue(HandbookError):
    code = "bad-value"
    title = "取值不合法"
    template = "字段“{field}”的值“{value}”不合法：{reason}。"


class BadChoice(HandbookError):
    code = "bad-choice"
    title = "取值不在可选范围内"
    template = "字段“{field}”的值“{value}”不在可选范围内，应为：{choices}。"


class MissingForKind(HandbookError):
    code = "missing-for-kind"
    title = "缺少该类条目必需的内容"
    template = "{kind_label}条目必须有“{field}”。"


class ChapterMismatch(HandbookError):
    code = "chapter-mismatch"
    title = "章节号与文件名不符"
    template = "章节号“{chapter}”与文件名不符，文件名应以“{chapter}-”开头，后接英文短名（如 {chapter}-duty-handover.yml）。"


class BadFileName(HandbookError):
    code = "bad-file-name"
    title = "文件名不合规范"
    template = "文件名应为“章节号-英文短名.yml”（只用小写字母、数字和连字符），例如 3.1-duty-handover.yml。"


class DuplicateChapter(HandbookError):
    code = "duplicate-chapter"
    title = "章节号重复"
    template = "章节号“{chapter}”已在 {other} 中使用，每个章节号只能有一个文件。"


class DuplicateClause(HandbookError):
    code = "duplicate-clause"
    title = "条款编号重复"
    template = "条款编号“{clause}”在本章出现了两次；请用 id 字段给其中一条指定不同的稳定编号。"


class UnknownRole(HandbookError):
    code = "unknown-role"
    title = "岗位不存在"
    template = "岗位“{role}”不在 organisation.yml 的 roles 列表中，可选：{choices}。"


class UnknownCategory(HandbookError):
    code = "unknown-category"
    title = "类别不存在"
    template = "类别“{category}”不在 organisation.yml 的 categories 列表中，可选：{choices}。"


class BrokenReference(HandbookError):
    code = "broken-reference"
    title = "引用的章节或条款不存在"
    template = "条款 {clause} 引用了“[[{target}]]”，但{what}不存在。"


class UnknownForm(HandbookError):
    code = "unknown-form"
    title = "表单不存在"
    template = "记录中的表单“{form}”在 forms/ 中没有定义，请新建 forms/{form}.yaml 或改正表单编号。"


class FormClauseMissing(HandbookError):
    code = "form-clause-missing"
    title = "表单所属条款不存在"
    template = "表单“{form}”的{what}“{target}”不存在，请写成“章节号#条款编号”，如 3.8#4.2。"


class FormFileName(HandbookError):
    code = "form-file-name"
    title = "表单文件名与编号不符"
    template = "文件名应为 {id}.yaml（与 id 相同）。"


class DuplicateForm(HandbookError):
    code = "duplicate-form"
    title = "表单重复"
    template = "{what}“{value}”已在 {other} 中使用，不能重复。"


class FormFieldProblem(HandbookError):
    code = "form-field"
    title = "表单栏目有误"
    template = "表单“{form}”：{detail}"


class CurrentWithDraftClause(HandbookError):
    code = "current-with-draft-clause"
    title = "现行章节含草案条款"
    template = ("第 {chapter} 章的状态是“现行”，但条款 {clause} 仍是草案（draft: true）。"
                "草案内容须经审核、批准后才能现行：请把本章状态改为“待审”（handbook approve 记录审核和批准），"
                "或在批准后去掉该条的 draft。")


class CurrentCitesDraftForm(HandbookError):
    code = "current-cites-draft-form"
    title = "现行章节引用未批准的表单"
    template = ("第 {chapter} 章的状态是“现行”，但所列记录表单 {form} 的状态是“{status}”。"
                "请先批准该表单（handbook approve {form_id} --by 姓名），或把本章状态改为“待审”。")


class RevisionTableBehind(HandbookError):
    code = "revision-table-behind"
    title = "修订记录与版本不符"
    template = "第 {chapter} 章的版本是 {version}，但修订记录的最后一行是 {last}；每次修订在修订记录末尾加一行新的版本号。"


class NoProcedures(HandbookError):
    code = "no-procedures"
    title = "没有手册条目"
    template = "目录 {path} 中没有任何 .yml 手册条目。"


class OrganisationInvalid(HandbookError):
    code = "organisation-invalid"
    title = "组织设置有误"
    template = "组织设置文件有误：{detail}"


class FileUnreadable(HandbookError):
    code = "source-unreadable"
    title = "文件无法读取"
    template = "无法读取文件：{detail}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a source file, located by file and line."""

    error: type[HandbookError]
    path: Path | None
    line: int | None = None
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.error.render(**self.params)

    def location(self, root: Path | None = None) -> str:
        if self.path is None:
            return ""
        path = self.path
        if root is not None:
            try:
                path = self.path.resolve().relative_to(root.resolve())
            except ValueError:
                pass
        return f"{path}:{self.line}" if self.line else str(path)

    def render(self, root: Path | None = None) -> str:
        where = self.location(root)
        return f"{where}: {self.message}" if where else self.message


class ProblemsFound(Exception):
    """Raised when sources are invalid; carries every problem, not just the first."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems

    def report(self, root: Path | None = None) -> str:
        lines = [f"发现 {len(self.problems)} 处问题："]
        lines += [f"  {p.render(root)}" for p in self.problems]
        return "\n".join(lines)


# ---------------------------------------------------------------- records: files that are not usable (exit 2)
class RecordFileMissing(HandbookError):
    code = "file-missing"
    title = "找不到文件"
    template = "找不到文件 {path}。请检查文件名和所在文件夹。"


class RecordFileUnreadable(HandbookError):
    code = "file-unreadable"
    title = "文件无法读取"
    template = "无法读取文件 {path}：{detail}。"


class RecordEmpty(HandbookError):
    code = "empty-file"
    title = "文件是空的"
    template = "文件是空的，没有表头也没有数据。请在网站“表单”栏目下载模板，按模板填写后再提交；本月没有发生的，提交只有表头的模板即可。"


class RecordNotATable(HandbookError):
    code = "not-a-table"
    title = "不是表格文件"
    template = "这不是表格文件（{detail}）。请提交 CSV 文件或 Excel 工作簿（.xlsx）。"


class RecordUndecodable(HandbookError):
    code = "encoding-error"
    title = "无法识别文字编码"
    template = "无法识别文件的文字编码。请在 Excel 中选择“另存为”→“CSV UTF-8（逗号分隔）”或“Excel 工作簿（.xlsx）”后再提交。"


class RecordLegacyXls(HandbookError):
    code = "legacy-xls"
    title = "旧版 Excel 文件"
    template = "这是旧版 Excel（.xls）文件，无法读取。请在 Excel 中选择“另存为”→“Excel 工作簿（.xlsx）”后再提交。"


class RecordCorruptXlsx(HandbookError):
    code = "corrupt-xlsx"
    title = "Excel 文件已损坏"
    template = "Excel 文件无法打开：{detail}。请在 Excel 中打开后重新保存，或重新导出后再提交。"


class RecordZipBomb(HandbookError):
    code = "zip-bomb"
    title = "文件解压后过大"
    template = "这个 Excel 文件解压后约有 {mb} MB，远超正常的月度记录，可能已损坏或被恶意构造，已拒收。请用公司下发的模板重新填写。"


class RecordWrongForm(HandbookError):
    code = "wrong-form"
    title = "表头与表单不符"
    template = "表头与“{title}”（{number}）不符：本表的 {total} 个栏目只找到 {found} 个。{suggestion}请使用网站上“{title}”的模板填写。"


class RecordLooksLike(HandbookError):
    code = "looks-like"
    title = "像是另一张表"
    template = "这个文件的表头与“{title}”相符，请检查是否选错了表单。"


class RecordUnknownForm(HandbookError):
    code = "unknown-record-form"
    title = "没有这张记录表"
    template = "没有编号为“{form}”的记录表。可选：{choices}。"


class RecordNotRecordForm(HandbookError):
    code = "not-a-record-form"
    title = "不是逐行填报的记录表"
    template = "“{form}”（{title}）不是每月填报统计的记录表，不能校验或入库。可选：{choices}。"


# ---------------------------------------------------------------- records: problems inside a table (exit 1)
# (the rules' own messages are their classes in records/rules/)
class RecordExtraCell(HandbookError):
    code = "extra-cell"
    title = "表头之外多填了内容"
    template = "第{row}行在最后一个栏目之后还填了“{value}”。请删除，或移到正确的栏目。"


class RecordMissingLabel(HandbookError):
    code = "missing-label"
    title = "缺少栏目"
    template = "表头（第1行）缺少“{field}”列。请使用网站上下载的最新模板，不要删除或改名栏目。"


class RecordExtraLabel(HandbookError):
    code = "extra-label"
    title = "多出的栏目"
    template = "表头（第1行）第{col}列的“{value}”不是本表的栏目，且该列填有内容。请删除该列，或把列名改为本表的栏目：{choices}。"


class RecordDuplicateLabel(HandbookError):
    code = "duplicate-label"
    title = "栏目重复"
    template = "表头（第1行）中“{field}”出现了不止一次（第{cols}列）。请删除重复的列。"


class RecordTooManyErrors(HandbookError):
    code = "too-many-errors"
    title = "问题太多"
    template = "问题太多，只列出了前 {limit} 处。请先改正这些问题后再校验。"


# ---------------------------------------------------------------- records: what was normalised
class NormEncoding(HandbookError):
    code = "encoding"
    title = "文字编码"
    template = "文件为 {encoding} 编码，已自动识别。"


class NormHeader(HandbookError):
    code = "header"
    title = "表头"
    template = "表头“{before}”已按“{after}”读取（去掉了空格、单位或星号）。"


class NormTitleRows(HandbookError):
    code = "title-rows"
    title = "表头上方的标题行"
    template = "表头在第{row}行，上方的标题行已跳过。"


class NormColumnOrder(HandbookError):
    code = "column-order"
    title = "栏目顺序"
    template = "栏目顺序与模板不同，已按列名对应。"


class NormMissingOptional(HandbookError):
    code = "missing-optional-column"
    title = "缺少非必填栏目"
    template = "没有“{field}”列（非必填栏目），按空白处理。如果这一列有内容，请使用网站上的最新模板重新填写。"


class SampleBadArgs(HandbookError):
    code = "sample-bad-args"
    title = "参数有误"
    template = "参数有误：--months 应为 1—120，--sites 应为 1—1000。"


class NormEmptyColumn(HandbookError):
    code = "empty-column"
    title = "空白列"
    template = "第{col}列“{value}”不是本表的栏目，但整列为空，已忽略。"


class NormBlankRows(HandbookError):
    code = "blank-rows"
    title = "空行"
    template = "跳过 {count} 个空行（第{rows}行）。"


class NormZeroReport(HandbookError):
    code = "zero-report"
    title = "本月无"
    template = "第{rows}行写的是“本月无”（零报告），不作为记录。"


class NormCellSpaces(HandbookError):
    code = "spaces"
    title = "多余的空格"
    template = "“{field}”列 {count} 个单元格去掉了前后的空格（第{rows}行）。"


class NormFullWidth(HandbookError):
    code = "full-width"
    title = "全角字符"
    template = "“{field}”列 {count} 个单元格的全角数字或符号改为半角，如“{before}”→“{after}”（第{rows}行）。"


class NormDate(HandbookError):
    code = "date"
    title = "日期写法"
    template = "“{field}”列 {count} 个日期统一写成“年-月-日”，如“{before}”→“{after}”（第{rows}行）。"


class NormDatetime(HandbookError):
    code = "datetime"
    title = "日期时间写法"
    template = "“{field}”列 {count} 个时间统一写成“年-月-日 时:分”，如“{before}”→“{after}”（第{rows}行）。"


class NormTime(HandbookError):
    code = "time"
    title = "时间写法"
    template = "“{field}”列 {count} 个时间统一写成“时:分”，如“{before}”→“{after}”（第{rows}行）。"


class NormSeconds(HandbookError):
    code = "seconds"
    title = "秒"
    template = "“{field}”列 {count} 个时间去掉了秒（记录到分钟），如“{before}”→“{after}”（第{rows}行）。"


class NormExcelSerial(HandbookError):
    code = "excel-serial"
    title = "Excel 日期序号"
    template = "“{field}”列 {count} 个单元格是 Excel 日期序号，已换算为日期，如“{before}”→“{after}”（第{rows}行）。"


class NormNumber(HandbookError):
    code = "number"
    title = "数字写法"
    template = "“{field}”列 {count} 个数字去掉了千分位逗号或单位，如“{before}”→“{after}”（第{rows}行）。"


class NormPhone(HandbookError):
    code = "phone"
    title = "电话号码写法"
    template = "“{field}”列 {count} 个号码去掉了空格、连字符或 +86（第{rows}行）。"


class NormIdX(HandbookError):
    code = "cn-id-x"
    title = "身份证号末位"
    template = "“{field}”列 {count} 个身份证号末位的小写 x 改为大写 X（第{rows}行）。"


class NormRoom(HandbookError):
    code = "room"
    title = "房号写法"
    template = "“{field}”列 {count} 个房号统一写成“栋-单元-室”，如“{before}”→“{after}”（第{rows}行）。"


class NormBoolean(HandbookError):
    code = "boolean"
    title = "是/否"
    template = "“{field}”列 {count} 个单元格统一写成“是/否”，如“{before}”→“{after}”（第{rows}行）。"


# ---------------------------------------------------------------- records: commands
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


class BadMonth(HandbookError):
    code = "bad-month"
    title = "月份格式不对"
    template = "月份“{value}”格式不对，请写成“年-月”，如 2026-11。"


class BadSite(HandbookError):
    code = "bad-site"
    title = "管理处名称不合适"
    template = "管理处“{value}”不合适：{reason}。"


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


class IngestUsage(HandbookError):
    code = "ingest-usage"
    title = "参数不全"
    template = "参数不全：请写明文件、--form、--site 和 --month，如 handbook ingest 投诉.csv --form complaint-log --site 东湖花园管理处 --month 2026-11。"


class BadBatch(HandbookError):
    code = "bad-batch"
    title = "批量清单有误"
    template = "批量清单 {path} 无法读取：应为 handbook sample --json 输出的 JSON 列表（每项含 form、site、month、path）。"


class BatchDone(HandbookError):
    code = "batch-done"
    title = "批量入库完成"
    template = "批量入库完成：{total} 个文件中 {stored} 个已入库或内容未变，数据目录 {path}。"


class StoreCorrupt(HandbookError):
    code = "store-corrupt"
    title = "数据目录已损坏"
    template = "数据目录 {path} 的清单文件无法读取（{detail}）。请联系管理员从备份恢复，不要手工修改。"


class StoreUnwritable(HandbookError):
    code = "store-unwritable"
    title = "数据目录无法写入"
    template = "无法写入数据目录 {path}：{detail}。原有数据未受影响。"


# ---------------------------------------------------------------- records: registry, months, store (issue 11)
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


class IngestUploaderDefault(HandbookError):
    code = "uploader-default"
    title = "上传人"
    template = "上传人记为“{user}”（本机登录名）；要记为填表人，请加 --user 姓名。"


class StoreBusy(HandbookError):
    code = "store-busy"
    title = "数据库正忙"
    template = "记录库正忙（{detail}），本次未作改动。请稍后重试。"


class StaleUpload(HandbookError):
    code = "stale-upload"
    title = "已有更新的版本"
    template = "{site} {month} 的“{title}”在您确认之前已有新的版本（{at} 由 {user} 上传），本次未替换。请先查看最新版本，需要时重新上传。"


class WithdrawDone(HandbookError):
    code = "withdrawn"
    title = "已撤回"
    template = "已撤回：{site} {month} “{title}”（{rows} 行，{at} 上传）。该月不再计入统计，原文件和历史仍保留，可重新上传。"


class IntakeWithdrawAdminOnly(HandbookError):
    code = "withdraw-admin-only"
    title = "只有管理员可以撤回"
    template = "只有管理员可以撤回已报送的记录。需要更正时，请直接上传更正后的文件。"


class WithdrawNothing(HandbookError):
    code = "withdraw-nothing"
    title = "没有可撤回的文件"
    template = "{site} {month} 没有已入库的“{title}”，无需撤回。"


class UploadTooManyRows(HandbookError):
    code = "too-many-rows"
    title = "行数过多"
    template = "文件约有 {rows} 行，超过单个文件 {limit} 行的上限，远超一个管理处一个月的记录，已拒收。请检查是否选错了文件。"


class UploadTooManyCells(HandbookError):
    code = "too-many-cells"
    title = "单元格过多"
    template = "文件的单元格超过 {limit} 个（或列数过多），远超正常的月度记录，已拒收。请使用网站上的模板填写。"


class XlsxSheetTooLarge(HandbookError):
    code = "sheet-too-large"
    title = "工作表过大"
    template = "Excel 工作表解压后约有 {mb} MB，超过 {limit} MB 的上限，远超正常的月度记录，已拒收。请使用网站上的模板重新填写。"


class MigrationDone(HandbookError):
    code = "store-migrated"
    title = "记录库已升级"
    template = "记录库已升级为数据库格式：迁入 {uploads} 个文件版本、{audit} 条审计记录；原清单改名为 {backup} 保留。"


class BatchProgress(HandbookError):
    code = "batch-progress"
    title = "批量入库进度"
    template = "入库 {done}/{total}（{percent}%），已用 {seconds} 秒"


class ReportNoData(HandbookError):
    code = "no-data"
    title = "还没有数据"
    template = "数据目录 {path} 中还没有 {month} 的记录。请先用 handbook ingest 入库。"


class KpiDefinitionProblem(HandbookError):
    code = "kpi-definition"
    title = "指标定义有误"
    template = "指标定义文件 {path}：{detail}"


class SampleWritten(HandbookError):
    code = "sample-written"
    title = "已生成示例数据"
    template = "已生成示例数据：{files} 个文件（{forms} 种记录表 × {sites} 个管理处 × {months} 个月），在 {out}。"


# ---------------------------------------------------------------- intake web app
class IntakeLoginFailed(HandbookError):
    code = "login-failed"
    title = "登录失败"
    template = "用户名或密码不对，请重新输入。"


class IntakeLoginLocked(HandbookError):
    code = "login-locked"
    title = "登录尝试过多"
    template = "登录失败次数过多，为保护账号已暂停登录，请10分钟后再试。"


class IntakeLoginRequired(HandbookError):
    code = "login-required"
    title = "需要登录"
    template = "请先登录。"


class IntakeCsrf(HandbookError):
    code = "csrf"
    title = "页面已过期"
    template = "页面已过期或不是从本系统提交的，请刷新页面后重新操作。"


class IntakeForbiddenSite(HandbookError):
    code = "forbidden-site"
    title = "无权操作该管理处"
    template = "您的账号不属于管理处“{site}”，不能查看或上传它的记录。"


class IntakeUnknownForm(HandbookError):
    code = "intake-unknown-form"
    title = "记录表不存在"
    template = "没有“{form}”这种记录表，请从列表中选择。"


class IntakeNoFile(HandbookError):
    code = "no-file"
    title = "没有选择文件"
    template = "请先选择要上传的文件（.xlsx 或 .csv）。"


class IntakePendingGone(HandbookError):
    code = "pending-gone"
    title = "待确认的上传已失效"
    template = "这次待确认的上传已失效（超过1小时或已处理），请重新上传。"


class IntakeStoreFailed(HandbookError):
    code = "store-failed"
    title = "保存失败"
    template = "文件检查通过，但保存时出错（{detail}），原有数据未受影响。请稍后重试或联系管理员。"


class IntakeTooLarge(HandbookError):
    code = "too-large"
    title = "文件太大"
    template = "文件太大：上传的文件不能超过 {mb} MB。请只保留本月的记录，或分成几个文件后再上传。"


class UserPasswordTooShort(HandbookError):
    code = "password-short"
    title = "密码太短"
    template = "密码至少要 {min} 个字符。"


class UserNoSite(HandbookError):
    code = "user-no-site"
    title = "没有指定管理处"
    template = "普通账号至少要指定一个管理处（--site），或用 --admin 建管理员账号。"


class UserAdded(HandbookError):
    code = "user-added"
    title = "账号已保存"
    template = "账号“{name}”已保存（{scope}）。"


class UserRemoved(HandbookError):
    code = "user-removed"
    title = "账号已删除"
    template = "账号“{name}”已删除。"


class UserUnknown(HandbookError):
    code = "user-unknown"
    title = "账号不存在"
    template = "没有名为“{name}”的账号。"


# ---------------------------------------------------------------- web hardening (issue 11)
class IntakeLoginBackoff(HandbookError):
    code = "login-backoff"
    title = "请稍后再登录"
    template = "这个账号刚才多次登录失败，为保护账号请 {seconds} 秒后再试。"


class IntakeStoreUnavailable(HandbookError):
    code = "store-unavailable"
    title = "记录库暂时无法使用"
    template = "记录库暂时无法写入，这次操作没有完成，原有数据未受影响。请稍后重试；如果一直这样，请联系管理员（服务器日志中有详细原因）。"
