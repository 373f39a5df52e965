/* 客服中心工作手册：中文查询分词（由 handbook 插件注入 Material 的搜索 worker）。
 * Material segments an unsegmented Chinese query greedily but never tries the whole
 * run, so "入住" becomes "入*" and "业主投诉" loses "投诉". Here: forward maximum
 * matching against the index's own vocabulary (built with jieba + the project dictionary). */
self.__handbookSegment = function (value, index) {
  var terms = [], i = 0;
  while (i < value.length) {
    var size = 1;
    for (var j = value.length; j > i + 1; j--) {
      if (value.slice(i, j) in index) { size = j - i; break; }
    }
    terms.push(value.slice(i, i + size));
    i += size;
  }
  return terms.join("* ");
};
