"""Record files that cannot be used at all (`handbook validate` exit code 2; the upload page rejects them).

Missing, unreadable, empty, not a table, in an unknown text encoding, an old .xls or a broken .xlsx, too large once
unpacked or too many rows or cells, or a header that belongs to another form.
"""

from .base import HandbookError


# ---------------------------------------------------------------- cannot be read as a table
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


# ---------------------------------------------------------------- too large (limits against malicious or mistaken files)
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


# ---------------------------------------------------------------- a table, but for another form
class RecordWrongForm(HandbookError):
    code = "wrong-form"
    title = "表头与表单不符"
    template = "表头与“{title}”（{number}）不符：本表的 {total} 个栏目只找到 {found} 个。{suggestion}请使用网站上“{title}”的模板填写。"


class RecordLooksLike(HandbookError):
    code = "looks-like"
    title = "像是另一张表"
    template = "这个文件的表头与“{title}”相符，请检查是否选错了表单。"
