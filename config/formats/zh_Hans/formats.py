"""zh-hans input formats with ISO first.

Django's zh_Hans formats put 2016/09/05 first: a date widget without an explicit format writes that,
and `<input type="date">` (which takes only yyyy-mm-dd) then shows nothing. ISO first makes every widget
write yyyy-mm-dd; the other forms are still accepted when typed. (Django's own 年月日 pattern uses %n and
%j, which strptime reads as whitespace and day of the year; these use %m and %d.)
"""

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # '2016-09-05'
    "%Y/%m/%d",  # '2016/09/05'
    "%Y年%m月%d日",  # '2016年9月5日'
]

DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M",  # '2016-09-05 20:45'
    "%Y-%m-%dT%H:%M",  # '2016-09-05T20:45', what <input type="datetime-local"> sends
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
]
