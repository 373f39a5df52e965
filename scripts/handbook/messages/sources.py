"""What `handbook check` says about the handbook's own sources.

The procedures (YAML syntax, fields, chapter and clause numbers, cross-references, document control), the forms,
organisation.yml and data/kpis.yml: every problem here is a `Problem` located by file and line, or a line of the
check's report.
"""

from .base import HandbookError


# ---------------------------------------------------------------- any YAML source
class YamlSyntax(HandbookError):
    code = "yaml-syntax"
    title = "YAML 语法错误"
    template = "YAML 语法错误：{detail}。请检查缩进、冒号和引号。"


class NotAMapping(HandbookError):
    code = "not-a-mapping"
    title = "文件内容不是字段表"
    template = "文件最外层应是“字段: 值”的形式，现在是{actual}。"


# ---------------------------------------------------------------- procedures: fields, chapters, clauses, references
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


# ---------------------------------------------------------------- forms
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


# ---------------------------------------------------------------- document control
class AddedVersionUnknown(HandbookError):
    code = "added-version-unknown"
    title = "补写条款的版本不在修订记录中"
    template = ("第 {chapter} 章条款 {clause} 标为 {added} 版补写（added），但修订记录中{reason}。"
                "added 写补写这段文字的那一版的版本号（修订记录中首次发布以后的一行，如“1/1”）。")


class FormRevisionTableBehind(HandbookError):
    code = "form-revision-table-behind"
    title = "表单修订记录与版本不符"
    template = "表单 {form} 的版本是 {version}，但修订记录的最后一行是 {last}；审核、批准请用 handbook approve 记录。"


class CurrentWithDraftClause(HandbookError):
    code = "current-with-draft-clause"
    title = "现行章节含草案条款"
    template = ("第 {chapter} 章的状态是“现行”，但条款 {clause} 仍是草案（draft: true）。"
                "草案内容须经审核、批准后才能现行：请把本章状态改为“待审”（handbook approve 记录审核和批准），"
                "或把定稿送审的补写条款改标 added: 版本（如“1/1”），批准后即可现行。")


class CurrentCitesDraftForm(HandbookError):
    code = "current-cites-draft-form"
    title = "现行章节引用未批准的表单"
    template = ("第 {chapter} 章的状态是“现行”，但所列记录表单 {form} 的状态是“{status}”。"
                "请先批准该表单（handbook approve {form_id} --by 姓名），或把本章状态改为“待审”。")


class RevisionTableBehind(HandbookError):
    code = "revision-table-behind"
    title = "修订记录与版本不符"
    template = "第 {chapter} 章的版本是 {version}，但修订记录的最后一行是 {last}；每次修订在修订记录末尾加一行新的版本号。"


# ---------------------------------------------------------------- the sources as a whole, organisation.yml, data/kpis.yml
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


class KpiDefinitionProblem(HandbookError):
    code = "kpi-definition"
    title = "指标定义有误"
    template = "指标定义文件 {path}：{detail}"
