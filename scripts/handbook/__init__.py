"""客服中心工作手册: the handbook as data, and the tools that publish it."""

__version__ = "0.1.0"
