"""What was normalised on reading a record file, reported as notes, never as errors.

Encoding, header cleaning, skipped title and blank rows, ignored empty columns, and each cell rewrite
(spaces, full-width characters, dates, times, numbers, phones, ID cards, rooms, yes/no).
"""

from .base import HandbookError


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
